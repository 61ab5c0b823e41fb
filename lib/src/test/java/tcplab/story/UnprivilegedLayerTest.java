package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.net.TwoHosts;
import tcplab.proc.Processes;
import tcplab.testing.LayerProbe;

/**
 * As user nobody, with no layer forced, the probe chooses USERNS by itself; forcing root is one
 * clear sentence.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class UnprivilegedLayerTest {
  @Test
  void anUnprivilegedUserGetsTheUserNamespaceLayer() throws Exception {
    String runuser = TwoHosts.which("runuser");
    Assumptions.assumeTrue(
        !runuser.isEmpty() && ProcessHandle.current().info().user().orElse("").equals("root"),
        "needs root and runuser to become nobody");
    Assumptions.assumeTrue(Layer.USERNS.unavailableReason().isEmpty(), "needs user namespaces");
    Path dir = Files.createTempDirectory("tcplab-nobody");
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      List<String> cp = new ArrayList<>();
      int i = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path src = Path.of(entry);
        if (entry.isEmpty()
            || !Files.exists(src)
            || entry.contains("junit")
            || entry.contains("surefire")) {
          continue;
        }
        Path dst = dir.resolve((i++) + "-" + src.getFileName());
        copy(src, dst);
        cp.add(dst.toString());
      }
      Path jna = Files.createDirectory(dir.resolve("jna"));
      Files.setPosixFilePermissions(jna, PosixFilePermissions.fromString("rwxrwxrwx"));
      String out = asNobody(runuser, cp, jna, "-u", "TCPLAB_LAYER");
      assertTrue(out.contains("tcplab uses [real kernels, user namespace]"), out);
      assertTrue(out.contains("[--] root    not root"), out);
      assertTrue(
          out.contains("table=")
              && out.contains(
                  "[real kernels, user namespace] Crash + reboot, a reader " + "without keepalive"),
          out);
      assertTrue(out.contains("Read timed out"), out);
      String forced = asNobody(runuser, cp, jna, "TCPLAB_LAYER=root");
      assertTrue(
          forced.contains(
              "error=IllegalStateException: TCPLAB_LAYER=root asks for the root layer, but it is "
                  + "not available here: not root (no CAP_SYS_ADMIN): ip netns add would fail."),
          forced);
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
    }
  }

  private static String asNobody(String runuser, List<String> cp, Path jna, String... env)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(runuser, "-u", "nobody", "--", "env"));
    cmd.addAll(List.of(env));
    cmd.addAll(
        List.of(
            "HOME=" + jna,
            java,
            "-XX:TieredStopAtLevel=1",
            "-Djna.tmpdir=" + jna,
            "-cp",
            String.join(":", cp),
            LayerProbe.class.getName()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      p.getOutputStream().close();
      Processes.Lines out = new Processes.Lines(p);
      assertTrue(
          p.waitFor(60, TimeUnit.SECONDS), "nobody's JVM did not finish in 60 s: " + out.printed());
      out.poll("table=", 1000);
      assertEquals(0, p.exitValue(), out.printed());
      return String.join("\n", out.all());
    } finally {
      Processes.reap(p, 2000);
    }
  }

  private static void copy(Path src, Path dst) throws IOException {
    try (Stream<Path> s = Files.walk(src)) {
      for (Path x : (Iterable<Path>) s::iterator) {
        Path to = dst.resolve(src.relativize(x).toString());
        if (Files.isDirectory(x)) {
          Files.createDirectories(to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
          Files.copy(x, to);
          Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
        }
      }
    }
  }
}
