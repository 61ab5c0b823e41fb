package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a probe main in a child JVM (another class path or system properties) and returns what it
 * printed.
 */
public final class ProbeJvm {
  private ProbeJvm() {}

  /**
   * This JVM's class path without JNA and the other dependencies: only the project's own classes.
   */
  public static String ownClassesOnly() {
    List<String> own = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (e.endsWith("classes") || e.endsWith("test-classes")) {
        own.add(e);
      }
    }
    return String.join(File.pathSeparator, own);
  }

  /**
   * Runs {@code java <jvmArgs> -cp classPath mainClass}; asserts it ends within {@code seconds}
   * with status 0.
   */
  public static String run(String classPath, String mainClass, int seconds, String... jvmArgs)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    cmd.addAll(List.of(jvmArgs));
    cmd.addAll(List.of("-cp", classPath, mainClass));
    Path out =
        Files.createTempFile(
            "tcplab-probe", ".txt"); // a file, so a chatty child never blocks on a full pipe
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertTrue(
          p.waitFor(seconds, TimeUnit.SECONDS), mainClass + " finished within " + seconds + " s");
      String printed = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), printed);
      return printed;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }
}
