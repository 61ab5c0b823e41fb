package tcplab.engine;

import tcplab.Step;
import tcplab.observe.CView;
import tcplab.proc.Processes;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The parent's handle on a {@link PeerProcess}: start it, send it steps, crash it, always reap it. */
final class Child implements AutoCloseable {
  /** How long a peer process may take to start and accept (a loaded classroom machine is slow). */
  static final int START_MILLIS = 10_000;
  private final Process process;
  private final Processes.Lines lines;
  private final OutputStream stdin;
  private int port = -1;

  private Child(Ops.Mode mode) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-XX:-UsePerfData", "-Xss512k"));
    jnaDispatchDir().ifPresent(dir -> cmd.addAll(List.of("-Djna.boot.library.path=" + dir, "-Djna.nounpack=true")));
    cmd.addAll(List.of("-cp", classPath(), PeerProcess.class.getName(), mode.name()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    process = pb.start();
    stdin = process.getOutputStream();
    lines = new Processes.Lines(process);
  }

  /** Starts a server peer process; {@link #port()} waits until it listens. */
  static Child start(Ops.Mode mode) throws IOException {
    return new Child(mode);
  }

  /** The port the child listens on, once it says so. */
  int port() throws IOException {
    if (port < 0) {
      port = Integer.parseInt(lines.await("PORT", START_MILLIS).substring(5).trim());
    }
    return port;
  }

  long pid() {
    return process.pid();
  }

  /** Waits until the child has accepted the connection. */
  void awaitReady(int millis) throws IOException {
    lines.await("READY", millis);
  }

  /** Performs one step in the child and returns its view. */
  String perform(Step step, int deadlineMillis) throws IOException {
    String cmd = step.op() + " " + step.number() + " " + deadlineMillis + " "
        + Base64.getEncoder().encodeToString(step.text().getBytes(StandardCharsets.UTF_8)) + "\n";
    stdin.write(cmd.getBytes(StandardCharsets.UTF_8));
    stdin.flush();
    String done = lines.await("DONE", deadlineMillis + 2_000);
    return new String(Base64.getDecoder().decode(done.substring(5).trim()), StandardCharsets.UTF_8);
  }

  /** Kills the process with SIGKILL and reaps it; returns its exit status (137 = 128 + SIGKILL). */
  int crash(int millis) {
    process.destroyForcibly();
    try {
      if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  @Override
  public void close() {
    Processes.reap(process, 5_000);
  }

  private static volatile Optional<Path> jnaDir;

  /**
   * A folder holding JNA's native library, unpacked once from JNA's jar, so that child processes
   * skip unpacking it (about 100 ms each). Empty if JNA is not usable here.
   */
  static Optional<Path> jnaDispatchDir() {
    if (jnaDir == null) {
      Optional<Path> dir = Optional.empty();
      if (CView.unavailableReason().isEmpty()) {
        String resource = "/com/sun/jna/" + com.sun.jna.Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");
        try (InputStream in = com.sun.jna.Native.class.getResourceAsStream(resource)) {
          if (in != null) {
            byte[] bytes = in.readAllBytes();
            // in the user's own cache, as JNA does (~/.cache/JNA): never a shared, world-writable folder
            Path d = Path.of(System.getProperty("user.home"), ".cache", "tcplab", "jna-" + bytes.length);
            Path lib = d.resolve(System.mapLibraryName("jnidispatch"));
            if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
              Files.createDirectories(d);
              Path tmp = Files.createTempFile(d, "lib", ".part");
              Files.write(tmp, bytes);
              Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            dir = Optional.of(d);
          }
        } catch (IOException | RuntimeException e) {
          dir = Optional.empty(); // children unpack JNA themselves
        }
      }
      jnaDir = dir;
    }
    return jnaDir;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Where this library (and JNA) was loaded from, for the child's class path. */
  static String classPath() {
    Set<String> parts = new LinkedHashSet<>();
    add(parts, PeerProcess.class);
    try {
      add(parts, Class.forName("com.sun.jna.Native", false, PeerProcess.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      // no JNA: the child's C view will say it is not observable
    }
    return String.join(File.pathSeparator, parts);
  }

  private static void add(Set<String> parts, Class<?> c) {
    try {
      parts.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
    } catch (Exception e) {
      // unknown location: skip
    }
  }
}
