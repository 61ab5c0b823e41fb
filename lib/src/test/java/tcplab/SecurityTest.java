package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lab's security rules, checked on its source: every listener binds an explicit address
 * (127.0.0.1, or a namespace's private address), never all interfaces; no sysctl is written outside
 * the lab's own namespaces; no sudo.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class SecurityTest {
  private static final Path MAIN = Path.of("src/main/java/tcplab");

  private static List<String[]> sources() throws IOException {
    List<String[]> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        out.add(new String[] {MAIN.relativize(p).toString(), Files.readString(p)});
      }
    }
    return out;
  }

  @Test
  void everyListenerBindsAnExplicitAddress() throws IOException {
    List<String> bad = new ArrayList<>();
    Pattern twoArgServer =
        Pattern.compile(
            "new ServerSocket\\(\\s*[^,()]+(,[^,()]+)?\\)"); // (port) or (port, backlog)
    Pattern wildcard =
        Pattern.compile(
            "new InetSocketAddress\\(\\s*\\w+\\s*\\)|getByName\\(\"(0\\.0\\.0\\.0|::)\"\\)|anyLocalAddress");
    Pattern bindNull = Pattern.compile("\\.bind\\(\\s*null");
    for (String[] f : sources()) {
      for (Pattern p : List.of(twoArgServer, wildcard, bindNull)) {
        Matcher m = p.matcher(f[1]);
        while (m.find()) {
          bad.add(f[0] + ": " + m.group());
        }
      }
      // a no-argument ServerSocket or ServerSocketChannel must be followed by a bind to an explicit
      // address
      Matcher open =
          Pattern.compile("new ServerSocket\\(\\)|ServerSocketChannel\\.open\\(\\)").matcher(f[1]);
      while (open.find()) {
        String line = f[1].substring(f[1].lastIndexOf('\n', open.start()) + 1, open.start());
        if (line.chars().filter(c -> c == '"').count() % 2 == 1
            || line.trim().startsWith("//")
            || line.trim().startsWith("*")) {
          continue; // in a string or a comment
        }
        String after = f[1].substring(open.end(), Math.min(f[1].length(), open.end() + 600));
        if (!after.matches("(?s).*\\.bind\\(new InetSocketAddress\\(\\s*[\\w.()\"]+\\s*,.*")) {
          bad.add(f[0] + ": " + open.group() + " without a bind to an explicit address");
        }
      }
    }
    assertEquals(List.of(), bad, "listeners must bind 127.0.0.1 or a namespace-private address");
  }

  @Test
  void sysctlsAreOnlyWrittenInsideTheLabsNamespacesAndNothingUsesSudo() throws IOException {
    List<String> bad = new ArrayList<>();
    for (String[] f : sources()) {
      for (String line : f[1].split("\n")) {
        boolean toldToAReader =
            line.contains("`sudo ") || line.contains("ENABLE = \"sudo "); // an admin's step, shown
        if (line.contains("\"sudo\"") || (line.contains("sudo ") && !toldToAReader)) {
          bad.add(f[0] + ": " + line.trim());
        }
        if (line.contains("/proc/sys/")
            && (line.contains("write") || line.contains("Files.writeString"))) {
          bad.add(f[0] + ": " + line.trim());
        }
      }
      for (String statement : f[1].split(";")) { // a call may span lines (one formatting)
        if (statement.contains("\"-w\"") && !statement.contains("netns")) {
          bad.add(f[0] + ": " + statement.strip().replaceAll("\\s+", " "));
        }
      }
    }
    assertEquals(List.of(), bad);
  }
}
