package tcplab.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The lab's words in English or Chinese, from the resource bundle {@code tcplab/i18n/Messages}
 * ({@code Messages_zh} for Chinese; English is the fallback for a key Chinese lacks).
 *
 * <p>Two ways in. Sentences made in this JVM take their words from a key: {@link #get}. Tables keep
 * their English column names and cells inside (code, tests and the claims read them), and are
 * translated when they are shown ({@link #shown(Table)}, {@link #shown(String)}): a text equal to
 * the English value of a {@code col.}, {@code cell.}, {@code table.} or {@code note.} key, or
 * matching one with {@code {0}}-style placeholders, becomes the Chinese value; longer texts made of
 * many parts (a capture note, a privileges line) have their known English parts ({@code part.}
 * keys) replaced. So a table built in another JVM (the private host, a child) is shown in the
 * reader's language too. Errno names, C calls and Java exception messages are never keys: they stay
 * as printed.
 */
public final class Text {
  private Text() {}

  /** The bundle's base name. */
  public static final String BUNDLE = "tcplab.i18n.Messages";

  /** The languages the lab speaks. */
  public static final List<String> LANGUAGES = List.of("en", "zh");

  private static volatile String language = fromLocale(Locale.getDefault());

  private static final Map<String, ResourceBundle> BUNDLES = new HashMap<>();
  private static volatile Phrases phrases;

  /** "zh" for a Chinese locale (zh, zh_CN, zh_TW...), else "en". */
  public static String fromLocale(Locale locale) {
    return locale != null && locale.getLanguage().equals("zh") ? "zh" : "en";
  }

  /** The language the lab speaks now: "en" or "zh". */
  public static String language() {
    return language;
  }

  /** True while the lab speaks English (nothing is translated). */
  public static boolean english() {
    return language.equals("en");
  }

  /**
   * Speaks {@code tag} ("en" or "zh") from now on; anything else is refused with one sentence
   * naming the parameter and the allowed values.
   */
  public static void use(String tag) {
    if (tag == null || !LANGUAGES.contains(tag)) {
      throw new IllegalArgumentException(
          get("param.language", tag == null ? "null" : "\"" + tag + "\""));
    }
    language = tag;
  }

  /** The bundle of {@code tag}: the English base, or Chinese with English as its parent. */
  static synchronized ResourceBundle bundle(String tag) {
    return BUNDLES.computeIfAbsent(
        tag,
        t ->
            ResourceBundle.getBundle(
                BUNDLE,
                t.equals("zh") ? Locale.CHINESE : Locale.ROOT,
                Text.class.getClassLoader(),
                ResourceBundle.Control.getNoFallbackControl(
                    ResourceBundle.Control.FORMAT_PROPERTIES)));
  }

  /**
   * The message {@code key} in the lab's language, each {@code {n}} replaced by {@code
   * String.valueOf(args[n])} (no number formatting, no quoting rules: the English text is exactly
   * the bundle's).
   */
  public static String get(String key, Object... args) {
    return format(message(language, key), args);
  }

  /** The message {@code key} in English, whatever the lab's language. */
  public static String english(String key, Object... args) {
    return format(message("en", key), args);
  }

  private static String message(String tag, String key) {
    try {
      return bundle(tag).getString(key);
    } catch (MissingResourceException e) {
      throw new IllegalStateException("no message \"" + key + "\" in " + BUNDLE, e);
    }
  }

  /** {@code pattern} with each {@code {n}} replaced by {@code args[n]}. */
  public static String format(String pattern, Object... args) {
    if (args.length == 0 || pattern.indexOf('{') < 0) {
      return pattern;
    }
    StringBuilder b = new StringBuilder();
    Matcher m = PLACEHOLDER.matcher(pattern);
    int at = 0;
    while (m.find()) {
      int n = Integer.parseInt(m.group(1));
      b.append(pattern, at, m.start())
          .append(n < args.length ? String.valueOf(args[n]) : m.group());
      at = m.end();
    }
    return b.append(pattern, at, pattern.length()).toString();
  }

  /** A placeholder: {0}, {1}... */
  public static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d+)\\}");

  /**
   * A text of a table (caption, column name, cell) or a note as the reader sees it: unchanged in
   * English; in Chinese, the translation of a known phrase, or the text with its known parts
   * translated.
   */
  public static String shown(String text) {
    if (text == null || text.isEmpty() || english()) {
      return text;
    }
    return phrases().shown(text, 2);
  }

  /**
   * The table as the reader sees it: the same table in English; in Chinese a copy whose name,
   * column names and text cells are {@link #shown(String)}.
   */
  public static Table shown(Table table) {
    if (english()) {
      return table;
    }
    Table copy = table.copy();
    copy.setName(shown(table.name()));
    for (Column<?> c : copy.columns()) {
      c.setName(shown(c.name()));
      if (c instanceof StringColumn s) {
        for (int r = 0; r < s.size(); r++) {
          s.set(r, shown(s.get(r)));
        }
      }
    }
    return copy;
  }

  private static Phrases phrases() {
    Phrases p = phrases;
    if (p == null) {
      p = new Phrases(bundle("en"), bundle("zh"));
      phrases = p;
    }
    return p;
  }

  /** The Chinese for English phrases, templates and parts. */
  private static final class Phrases {
    private final Map<String, String> exact = new HashMap<>();
    private final List<Pattern> templates = new ArrayList<>();
    private final List<String> templateZh = new ArrayList<>();
    private final List<String[]> parts = new ArrayList<>();

    Phrases(ResourceBundle en, ResourceBundle zh) {
      List<String[]> withArgs = new ArrayList<>();
      for (String key : en.keySet()) {
        String e = en.getString(key);
        String z = zh.getString(key);
        if (key.startsWith("part.")) {
          parts.add(new String[] {e, z});
        } else if (key.startsWith("col.")
            || key.startsWith("cell.")
            || key.startsWith("table.")
            || key.startsWith("note.")) {
          if (PLACEHOLDER.matcher(e).find()) {
            withArgs.add(new String[] {e, z});
          } else {
            exact.putIfAbsent(e, z);
          }
        }
      }
      // the most specific first: more literal characters
      Comparator<String[]> literal =
          Comparator.comparingInt(a -> -PLACEHOLDER.matcher(a[0]).replaceAll("").length());
      withArgs.sort(literal.thenComparing(a -> a[0]));
      for (String[] t : withArgs) {
        templates.add(regex(t[0]));
        templateZh.add(t[1]);
      }
      parts.sort(Comparator.comparingInt((String[] a) -> -a[0].length()).thenComparing(a -> a[0]));
    }

    /** "MISMATCH: expected {0}" as the regex "\QMISMATCH: expected \E(?<a0>.*)". */
    private static Pattern regex(String english) {
      StringBuilder b = new StringBuilder();
      Matcher m = PLACEHOLDER.matcher(english);
      int at = 0;
      while (m.find()) {
        b.append(Pattern.quote(english.substring(at, m.start())))
            .append("(?<a")
            .append(m.group(1))
            .append(">.*?)");
        at = m.end();
      }
      b.append(Pattern.quote(english.substring(at)));
      return Pattern.compile(b.toString(), Pattern.DOTALL);
    }

    String shown(String text, int depth) {
      String z = exact.get(text);
      if (z != null) {
        return z;
      }
      // of the templates that match, the one that leaves the least English: "receiver {0}" (a
      // column)
      // also matches a scenario's title "receiver crashes ... (C pass)", which "{0} (C pass)"
      // translates
      String best = null;
      long bestLatin = Long.MAX_VALUE;
      for (int i = 0; i < templates.size(); i++) {
        Matcher m = templates.get(i).matcher(text);
        if (m.matches()) {
          String zh = templateZh.get(i);
          Matcher p = PLACEHOLDER.matcher(zh);
          StringBuilder b = new StringBuilder();
          int at = 0;
          while (p.find()) {
            String arg = m.group("a" + p.group(1));
            b.append(zh, at, p.start()).append(depth > 0 ? shown(arg, depth - 1) : arg);
            at = p.end();
          }
          String candidate = b.append(zh, at, zh.length()).toString();
          long latin = candidate.chars().filter(c -> c < 128 && Character.isLetter(c)).count();
          if (latin < bestLatin) {
            best = candidate;
            bestLatin = latin;
          }
        }
      }
      if (best != null) {
        return best;
      }
      for (String[] part : parts) { // "[real kernels, root] " + a caption
        if (text.length() > part[0].length() && text.startsWith(part[0])) {
          return part[1] + shown(text.substring(part[0].length()), depth);
        }
      }
      String out = text;
      for (String[] part : parts) {
        if (out.contains(part[0])) {
          out = out.replace(part[0], part[1]);
        }
      }
      return out;
    }
  }
}
