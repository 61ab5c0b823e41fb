/**
 * The lab's words in the reader's language: {@link tcplab.text.Text} reads the resource bundle
 * {@code tcplab/i18n/Messages} (English) and {@code Messages_zh} (Chinese) and holds the language
 * {@code tcplab.Lab.language} chose. Uses no other package of the lab.
 */
package tcplab.text;
