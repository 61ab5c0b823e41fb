package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dependency rule between the packages of {@code lib/} (see each package-info.java):
 *
 * <ul>
 *   <li>{@code tcplab.observe} and {@code tcplab.draw} use nothing from the notebook API package
 *       {@code tcplab}: the API sits on top of them, never the other way round;
 *   <li>{@code tcplab.proc} (processes, deadlines) and {@code tcplab.text} (the lab's words in
 *       English and Chinese) use no other package of the lab at all;
 *   <li>{@code tcplab.net} (hosts, cables, the private host) uses the internals (and {@code
 *       tcplab.text}) and, of the API, only {@code Check} and {@code Wire}; never {@code
 *       tcplab.story}, which plays on it.
 * </ul>
 *
 * The API package and {@code tcplab.engine} (which plays a Scenario into a Result) may use the
 * internals. Checked on the source: import lines and fully qualified names outside comments and
 * strings.
 */
@Timeout(20)
class PackagesTest {
  static final Path MAIN = Path.of("src/main/java");

  /** Package, and the pattern of lab types its sources must not name. */
  static final Map<String, Pattern> FORBIDDEN =
      Map.of(
          "tcplab.observe", Pattern.compile("\\btcplab\\.[A-Z]\\w*"),
          "tcplab.draw", Pattern.compile("\\btcplab\\.[A-Z]\\w*"),
          "tcplab.proc", Pattern.compile("\\btcplab\\.(?!proc\\b)\\w+"),
          "tcplab.text", Pattern.compile("\\btcplab\\.(?!text\\b)\\w+"),
          "tcplab.net",
              Pattern.compile(
                  "\\btcplab\\.(?!proc\\b|net\\b|observe\\b|draw\\b|engine\\b|text\\b|Check\\b|Wire\\b)\\w+"));

  @Test
  void internalsDoNotDependOnTheNotebookApi() throws IOException {
    assertEquals(List.of(), violations(MAIN));
  }

  @Test
  void theRuleCatchesAViolation() throws IOException {
    Path dir = Files.createTempDirectory("tcplab-packages");
    try {
      Path draw = Files.createDirectories(dir.resolve("tcplab/draw"));
      Files.writeString(
          draw.resolve("Bad.java"),
          "package tcplab.draw;\n\nimport tcplab.Show;\n\n"
              + "/** Uses {@link tcplab.Scenario} in a comment only: fine. */\nclass Bad {\n  String s = \"tcplab.Lab\";\n}\n");
      Path proc = Files.createDirectories(dir.resolve("tcplab/proc"));
      Files.writeString(
          proc.resolve("Worse.java"),
          "package tcplab.proc;\n\nclass Worse {\n"
              + "  Object o = tcplab.observe.CView.class;\n}\n");
      List<String> found = violations(dir);
      assertEquals(2, found.size(), found.toString());
      assertTrue(
          found.get(0).contains("tcplab.Show") && found.get(1).contains("tcplab.observe"),
          found.toString());
    } finally {
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** "file: name" for each forbidden lab type a source file names. */
  static List<String> violations(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Pattern> rule :
        FORBIDDEN.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      Path dir = root.resolve(rule.getKey().replace('.', '/'));
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          String code = code(Files.readString(f));
          Matcher m = rule.getValue().matcher(code);
          while (m.find()) {
            out.add(
                root.relativize(f) + ": " + m.group() + " (" + rule.getKey() + " must not use it)");
          }
        }
      }
    }
    return out;
  }

  /** The source without comments, string and char literals, and its package line. */
  static String code(String source) {
    String s =
        source
            .replaceAll("(?s)/\\*.*?\\*/", " ")
            .replaceAll("\"(?:\\\\.|[^\"\\\\\\n])*\"", "\"\"")
            .replaceAll("'(?:\\\\.|[^'\\\\])'", "' '")
            .replaceAll("//[^\\n]*", " ");
    return s.replaceFirst("(?m)^package [\\w.]+;", "");
  }
}
