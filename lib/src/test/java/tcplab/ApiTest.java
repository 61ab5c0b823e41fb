package tcplab;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a notebook sees: the public types of package {@code tcplab} and their public members,
 * compared with the checked-in list {@code lib/api/tcplab.api} (as OkHttp does with its {@code
 * .api} files), so a change to the notebook API is always deliberate. Regenerate after a deliberate
 * change with {@value #HOW_TO_UPDATE}.
 */
@Timeout(30)
class ApiTest {
  static final Path FILE = Path.of("api/tcplab.api");
  static final Path CLASSES = Path.of("target/classes/tcplab");
  static final String HOW_TO_UPDATE =
      "cd lib && mvn -q -B -o -Dtcplab.api.update=true -Dtest=ApiTest test";

  @Test
  void publicApiOfTcplabIsTheCheckedInList() throws Exception {
    String now = String.join("\n", api()) + "\n";
    if (Boolean.getBoolean("tcplab.api.update")) {
      Files.writeString(FILE, now);
      return;
    }
    String before = Files.exists(FILE) ? Files.readString(FILE) : "";
    if (!now.equals(before)) {
      List<String> was = before.lines().toList();
      List<String> is = now.lines().toList();
      StringBuilder diff = new StringBuilder();
      was.stream().filter(l -> !is.contains(l)).forEach(l -> diff.append("\n  - ").append(l));
      is.stream().filter(l -> !was.contains(l)).forEach(l -> diff.append("\n  + ").append(l));
      fail(
          "The public API of package tcplab (what notebooks see) differs from lib/"
              + FILE
              + ":"
              + diff
              + "\nIf the change is deliberate, regenerate the list with `"
              + HOW_TO_UPDATE
              + "` and commit it.");
    }
  }

  /**
   * One line per public type of package tcplab, each followed by its public members, indented,
   * sorted.
   */
  static List<String> api() throws IOException, ClassNotFoundException {
    List<String> names;
    try (Stream<Path> files = Files.list(CLASSES)) {
      names =
          files
              .map(p -> p.getFileName().toString())
              .filter(
                  n -> n.endsWith(".class") && !n.contains("$") && !n.equals("package-info.class"))
              .map(n -> "tcplab." + n.substring(0, n.length() - ".class".length()))
              .sorted()
              .toList();
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      describe(Class.forName(n, false, ApiTest.class.getClassLoader()), out);
    }
    return out;
  }

  private static void describe(Class<?> c, List<String> out) {
    if (!Modifier.isPublic(c.getModifiers())) {
      return;
    }
    out.add(header(c));
    List<String> members = new ArrayList<>();
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k)) {
        members.add(k.toGenericString());
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m) && !m.isBridge()) {
        members.add(m.toGenericString());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f)) {
        members.add(f.toGenericString());
      }
    }
    members.stream().sorted().map(m -> "  " + m).forEach(out::add);
    Stream.of(c.getDeclaredClasses())
        .sorted((a, b) -> a.getName().compareTo(b.getName()))
        .forEach(n -> describe(n, out));
  }

  private static boolean visible(Member m) {
    return Modifier.isPublic(m.getModifiers()) && !m.isSynthetic();
  }

  private static String header(Class<?> c) {
    String kind =
        c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class";
    int implicit =
        c.isInterface()
            ? Modifier.ABSTRACT | Modifier.STATIC
            : c.isEnum() || c.isRecord()
                ? Modifier.FINAL | Modifier.STATIC
                : 0; // implied by the kind
    int mods = c.getModifiers() & ~Modifier.INTERFACE & ~implicit;
    return (Modifier.toString(mods) + " " + kind + " " + c.getName()).strip();
  }
}
