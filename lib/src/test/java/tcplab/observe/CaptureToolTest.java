package tcplab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.proc.Processes;

/**
 * The administrator's step (tools/setup/capture-for-students.sh), installed into a temporary
 * folder: the tool has the file capabilities and mode 0750 for group tcplab; a normal user in that
 * group captures through it (Capture's LAB_TOOL backend), a normal user outside it gets the
 * sentence with the command. Nothing is left installed but the (empty) system group tcplab, which
 * the script creates when missing. Root only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CaptureToolTest {

  private static final Path SCRIPT = Path.of("..", "tools", "setup", "capture-for-students.sh");

  private static String run(Map<String, String> env, int seconds, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile("tcplab-tool", ".txt");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      assertTrue(
          p.waitFor(seconds, TimeUnit.SECONDS),
          String.join(" ", cmd) + " ended within " + seconds + " s");
      String printed = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + printed);
      return printed;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }

  private static String student() throws Exception {
    for (String u : List.of("tcplab-student", "nobody")) {
      if (new ProcessBuilder("id", "-u", u).start().waitFor() == 0) {
        return u;
      }
    }
    return null;
  }

  @Test
  void aStudentInGroupTcplabCapturesThroughTheToolAndOneOutsideIsToldHow() throws Exception {
    assumeTrue(
        "root".equals(System.getProperty("user.name")) && !ProcSelf.inUserNamespace(),
        "needs root");
    assumeTrue(
        Processes.onPath("tcpdump").isPresent()
            && Processes.onPath("runuser").isPresent()
            && (Files.isExecutable(Path.of("/usr/sbin/setcap"))
                || Files.isExecutable(Path.of("/sbin/setcap"))),
        "needs tcpdump, runuser and setcap (libcap2-bin)");
    String user = student();
    assumeTrue(user != null, "needs a normal user (tcplab-student or nobody)");
    Path dir = Files.createTempDirectory("tcplab-capture-tool");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env =
        Map.of(
            "TCPLAB_CAPTURE_DIR", dir.resolve("lib").toString(), "STUDENTS", "", "SUDO_USER", "");
    try {
      String installed = run(env, 30, SCRIPT.toString());
      Path tool = dir.resolve("lib/tcplab-capture");
      assertTrue(installed.contains("installed " + tool), installed);
      assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(tool)));
      assertEquals(
          Capture.GROUP,
          Files.readAttributes(tool, java.nio.file.attribute.PosixFileAttributes.class)
              .group()
              .getName());
      String caps =
          run(
              Map.of(),
              10,
              Files.isExecutable(Path.of("/usr/sbin/getcap")) ? "/usr/sbin/getcap" : "/sbin/getcap",
              tool.toString());
      assertTrue(caps.contains("cap_net_admin,cap_net_raw=eip"), caps);

      Path cp =
          dir.resolve(
              "cp"); // the class path, readable by the student (the Maven repository is root's)
      Files.createDirectories(cp);
      List<String> entries = new ArrayList<>();
      for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
        Path from = Path.of(e);
        if (Files.isDirectory(from)) {
          Path to = cp.resolve("d" + entries.size());
          try (Stream<Path> all = Files.walk(from)) {
            for (Path f : (Iterable<Path>) all::iterator) {
              Path t = to.resolve(from.relativize(f).toString());
              if (Files.isDirectory(f)) {
                Files.createDirectories(t);
              } else {
                Files.copy(f, t, StandardCopyOption.REPLACE_EXISTING);
              }
            }
          }
          entries.add(to.toString());
        } else if (Files.isRegularFile(from)) {
          Path t = cp.resolve(entries.size() + "-" + from.getFileName());
          Files.copy(from, t);
          entries.add(t.toString());
        }
      }
      run(Map.of(), 10, "chmod", "-R", "a+rX", cp.toString()); // not the tool: it stays 0750
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String classPath = String.join(File.pathSeparator, entries);

      String inGroup =
          run(
              Map.of(),
              60,
              "runuser",
              "-u",
              user,
              "-g",
              Capture.GROUP,
              "--",
              java,
              "-Dtcplab.captureTool=" + tool,
              "-cp",
              classPath,
              PacketSocketProbe.class.getName());
      System.out.println(inGroup);
      assertTrue(inGroup.contains("backend=LAB_TOOL"), inGroup);
      assertTrue(inGroup.contains("packets: yes, by the lab's capture tool " + tool), inGroup);
      assertTrue(
          inGroup.contains(" SYN len 0")
              && inGroup.contains(" PSH ACK len 5")
              && inGroup.contains(" RST ACK len 0"),
          inGroup);

      String outside =
          run(
              Map.of(),
              60,
              "runuser",
              "-u",
              user,
              "--",
              java,
              "-Dtcplab.captureTool=" + tool,
              "-cp",
              classPath,
              PacketSocketProbe.class.getName());
      assertTrue(outside.contains("backend=NONE"), outside);
      assertTrue(
          outside.contains(
              "not in group tcplab yet: an administrator runs `sudo usermod -aG tcplab "
                  + user
                  + "`"),
          outside);
    } finally {
      run(env, 30, SCRIPT.toString(), "--remove");
      assertTrue(!Files.exists(dir.resolve("lib")), "the tool is removed");
      try (Stream<Path> all = Files.walk(dir)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
