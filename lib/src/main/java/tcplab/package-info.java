/**
 * tcplab: lesson 17 of 《网络编程实战》 ("TCP is not always reliable") with real sockets.
 *
 * <p>Notebooks call one scenario per idea and get Tablesaw tables back; {@link tcplab.Show}
 * renders them on any Java kernel. All sockets bind 127.0.0.1 with ephemeral ports, every
 * blocking call has a deadline, and a scenario closes everything it opened.
 */
package tcplab;
