package tcplab;

import tcplab.proc.Processes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;
import static tcplab.testing.NetnsTables.result;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

/** The USERNS layer: helpers in a child JVM under unshare -rnm, as root (forced) and as a real unprivileged user. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LayersUserNsTest {
  private static final String USERNS = "[real kernels, user namespace] ";

  @BeforeAll
  static void needsUserNamespaces() {
    String why = Layers.usernsReason();
    Assumptions.assumeTrue(why.isEmpty(), () -> "needs user namespaces: " + why);
  }

  @AfterEach
  void noChildLeft() {
    assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "children left");
  }

  @Test
  void forcedUserNamespaceRunsInAChildJvm() {
    String before = System.getProperty(Layers.PROPERTY);
    System.setProperty(Layers.PROPERTY, "userns");
    try {
      long start = System.nanoTime();
      Table t = NoFin.blockedRead(1000);
      double wall = (System.nanoTime() - start) / 1e9;
      assertTrue(t.name().startsWith(USERNS + "No FIN: a blocked read"), t.name());
      near(1.0, at(t, "Read timed out"), "SO_TIMEOUT in the child", t);
      result(t, "Read timed out", "ESTABLISHED", "ESTABLISHED");
      assertTrue(wall < 6, "child JVM + 1 s read: " + wall + " s");
      Table r = Reboot.listensAgain();
      assertTrue(r.name().startsWith(USERNS), r.name());
      at(r, "Connection reset");
      at(r, "the server read 5 bytes \"hello\"");
    } finally {
      if (before == null) {
        System.clearProperty(Layers.PROPERTY);
      } else {
        System.setProperty(Layers.PROPERTY, before);
      }
    }
  }

  @Test
  void aChildFailureIsOneClearMessage() {
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> NoFinMain.run("noSuchHelper", 30_000));
    assertTrue(e.getMessage().contains("no helper called \"noSuchHelper\""), e.getMessage());
  }

  /** As user nobody, with no layer forced: the probe must choose USERNS by itself (root is refused). */
  @Test
  void anUnprivilegedUserGetsTheUserNamespaceLayer() throws Exception {
    String runuser = TwoHosts.which("runuser");
    Assumptions.assumeTrue(!runuser.isEmpty() && ProcessHandle.current().info().user().orElse("").equals("root"),
        "needs root and runuser to become nobody");
    Path dir = Files.createTempDirectory("tcplab-nobody");
    Process p = null;
    try {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
      List<String> cp = new ArrayList<>();
      int i = 0;
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path src = Path.of(entry);
        if (entry.isEmpty() || !Files.exists(src) || entry.contains("junit") || entry.contains("surefire")) {
          continue;
        }
        Path dst = dir.resolve((i++) + "-" + src.getFileName());
        copy(src, dst);
        cp.add(dst.toString());
      }
      Path jna = Files.createDirectory(dir.resolve("jna"));
      Files.setPosixFilePermissions(jna, PosixFilePermissions.fromString("rwxrwxrwx"));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      p = new ProcessBuilder(runuser, "-u", "nobody", "--", "env", "-u", "TCPLAB_LAYER", "HOME=" + jna, java,
          "-XX:TieredStopAtLevel=1", "-Djna.tmpdir=" + jna, "-cp", String.join(":", cp), NoFinMain.class.getName(),
          "--api", "readerWithoutKeepalive", "1000").start();
      p.getOutputStream().close();
      Processes.Lines out = new Processes.Lines(p);
      Processes.Lines err = new Processes.Lines(p, p.getErrorStream(), "err");
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "nobody's JVM did not finish in 60 s");
      String end = out.poll("#END", 2000);
      assertTrue(end != null, "exit " + p.exitValue() + "; stdout: " + out.printed() + "; stderr: " + err.printed());
      Table t = NoFinMain.fromLines("?", out.all());
      assertTrue(t.name().startsWith(USERNS + "Crash + reboot, a reader without keepalive"), t.name());
      result(t, "Read timed out", "ESTABLISHED", "CLOSED");
      String privileges = String.join("\n", err.all());
      assertTrue(privileges.contains("tcplab uses [real kernels, user namespace]"), privileges);
      assertTrue(privileges.contains("[--] root    not root"), privileges);
      Processes.reap(p, 2000);
      // forcing a layer that is not available: one clear sentence
      p = new ProcessBuilder(runuser, "-u", "nobody", "--", "env", "TCPLAB_LAYER=root", "HOME=" + jna, java,
          "-XX:TieredStopAtLevel=1", "-Djna.tmpdir=" + jna, "-cp", String.join(":", cp), NoFinMain.class.getName(),
          "--api", "blockedRead", "100").start();
      p.getOutputStream().close();
      Processes.Lines out2 = new Processes.Lines(p);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      String e = out2.poll("#E", 2000);
      assertEquals("#E\tIllegalStateException: TCPLAB_LAYER=root asks for the root layer, but it is not available "
          + "here: not root (no CAP_SYS_ADMIN): ip netns add would fail.", e);
    } finally {
      Processes.reap(p, 2000);
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
      }
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
