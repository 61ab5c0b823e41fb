package tcplab.proc;

import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lab's one way to start a child JVM: the same {@code java}, the class path this library was
 * loaded from, options for a fast start (C1 only, serial GC, small heap, class-data sharing), and
 * optionally a wrapper in front ({@code unshare -rnm ...}). Lines go to its standard input and come
 * back from its standard output; every wait has a deadline; {@link #close()} kills it with SIGKILL
 * and reaps it.
 *
 * <p>The child's part of the contract: it exits when its standard input reaches end-of-file, so a
 * child can never outlive a parent that was killed (the kernel closes the parent's end of the
 * pipe).
 */
public final class ChildJvm implements AutoCloseable {
  /**
   * Options of every child JVM: quick to start, small (a heap that starts at 16 MiB and gives back
   * what it no longer uses: a classroom runs one private host per student), no shared perf file.
   */
  public static final List<String> FAST_START =
      List.of(
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-XX:-UsePerfData",
          "-Xss512k",
          "-Xshare:auto",
          "-Xms16m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-Xmx192m");

  private static final String EOF = new String("<end of output>"); // identity marks the end

  private final Process process;
  private final OutputStream stdin;
  private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
  private final Deque<String> tail = new ArrayDeque<>();
  private final List<String> stderr = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.concurrent.CountDownLatch stderrEnd =
      new java.util.concurrent.CountDownLatch(1);
  private final String what;
  private boolean ended;

  private ChildJvm(List<String> cmd, String what) throws IOException {
    this.what = what;
    process = new ProcessBuilder(cmd).start();
    stdin = process.getOutputStream();
    pump(process.getInputStream(), "out", true);
    pump(process.getErrorStream(), "err", false);
  }

  /**
   * Starts {@code java [FAST_START] [jvmOptions] -cp <this library> mainClass args}, behind {@code
   * wrapper} (an argv such as {@code unshare -rn}; empty for none).
   */
  public static ChildJvm start(
      List<String> wrapper, List<String> jvmOptions, String mainClass, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.add(javaBinary());
    cmd.addAll(FAST_START);
    jnaDispatchDir()
        .ifPresent(
            dir -> cmd.addAll(List.of("-Djna.boot.library.path=" + dir, "-Djna.nounpack=true")));
    for (String p : new String[] {"jna.tmpdir", "java.io.tmpdir"}) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classPath(), mainClass));
    cmd.addAll(args);
    String simple = mainClass.substring(mainClass.lastIndexOf('.') + 1);
    return new ChildJvm(cmd, simple);
  }

  /** Starts {@code mainClass args} in a plain child JVM. */
  public static ChildJvm start(String mainClass, String... args) throws IOException {
    return start(List.of(), List.of(), mainClass, List.of(args));
  }

  private void pump(InputStream in, String stream, boolean toQueue) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  remember(stream.equals("err") ? "[stderr] " + line : line);
                  if (stream.equals("err") && stderr.size() < 100) {
                    stderr.add(line);
                  }
                  if (toQueue) {
                    out.add(line);
                  }
                }
              } catch (IOException e) {
                // the child is gone
              } finally {
                if (toQueue) {
                  out.add(EOF);
                } else {
                  stderrEnd.countDown();
                }
              }
            },
            "tcplab-child-" + stream + "-" + process.pid());
    t.setDaemon(true);
    t.start();
  }

  private void remember(String line) {
    synchronized (tail) {
      tail.addLast(line.length() > 500 ? line.substring(0, 500) + "..." : line);
      while (tail.size() > 20) {
        tail.removeFirst();
      }
    }
  }

  /** Sends one line (it must not contain a newline) to the child's standard input. */
  public void send(String line) throws IOException {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException(
          "a line sent to a child JVM must not contain a line break.");
    }
    synchronized (stdin) {
      stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    }
  }

  /**
   * The child's next line of standard output within {@code millis}, or null when none came in time.
   *
   * @throws IOException when the child's output has ended (it exited)
   * @throws InterruptedException when the calling thread is interrupted (the child keeps running)
   */
  public String next(long millis) throws IOException, InterruptedException {
    if (ended) {
      throw gone("output ended");
    }
    String line = out.poll(Math.max(0, millis), TimeUnit.MILLISECONDS);
    if (line == EOF) {
      ended = true;
      throw gone("output ended");
    }
    return line;
  }

  /**
   * The child's next line of standard output before {@code patience} is over (its slices are waited
   * one by one), or null when none came in time.
   *
   * @throws IOException when the child's output has ended (it exited)
   * @throws InterruptedException when the calling thread is interrupted (the child keeps running)
   */
  public String next(Patience patience) throws IOException, InterruptedException {
    for (long left; (left = patience.nextWaitMillis()) > 0; ) {
      String line = next(left);
      if (line != null) {
        return line;
      }
    }
    return null;
  }

  /**
   * The next line starting with {@code prefix} within {@code millis} of an idle machine's time
   * ({@link Patience}); otherwise an IOException that says why.
   */
  public String await(String prefix, long millis) throws IOException {
    Patience patience = Patience.of(millis); // a busy machine starts a JVM slowly: see Patience
    try {
      for (String line; (line = next(patience)) != null; ) {
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(
          "interrupted while waiting for the child JVM "
              + what
              + " (pid "
              + pid()
              + ") to say "
              + prefix);
    } catch (IOException e) {
      throw new IOException(
          "the child JVM "
              + what
              + " (pid "
              + pid()
              + ") ended before it said "
              + prefix
              + exitText()
              + "; it printed: "
              + printed());
    }
    throw new IOException(
        "the child JVM "
            + what
            + " (pid "
            + pid()
            + ") did not say "
            + prefix
            + " within "
            + patience.describe()
            + exitText()
            + "; it printed: "
            + printed());
  }

  private IOException gone(String why) {
    return new IOException(
        "the child JVM "
            + what
            + " (pid "
            + pid()
            + "): "
            + why
            + exitText()
            + "; it printed: "
            + printed());
  }

  private String exitText() {
    try {
      if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
        return " (exit status " + process.exitValue() + ")";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  /** The last 20 lines the child printed (stdout and stderr), joined with " | ". */
  public String printed() {
    synchronized (tail) {
      return tail.isEmpty() ? "nothing" : String.join(" | ", tail);
    }
  }

  /** The process id of the started process (the wrapper's, when there is one). */
  public long pid() {
    return process.pid();
  }

  /** True while the process runs. */
  public boolean alive() {
    return process.isAlive();
  }

  /** The process handle, for tests that look at its descendants. */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  /**
   * SIGKILLs the process and waits up to {@code millis} for the kernel to reap it; returns its exit
   * status (137 = 128 + SIGKILL), or -1 if it was not reaped in time. Keeps the calling thread's
   * interrupt flag.
   */
  public int kill(int millis) {
    process.destroyForcibly();
    boolean interrupted = Thread.interrupted();
    try {
      long end = System.nanoTime() + millis * 1_000_000L;
      while (true) {
        try {
          if (process.waitFor(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            return process.exitValue();
          }
          return -1;
        } catch (InterruptedException e) {
          interrupted = true; // reap anyway, then hand the interrupt back
        }
      }
    } finally {
      close(stdin);
      close(process.getInputStream());
      close(process.getErrorStream());
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Waits up to {@code millis} of an idle machine's time ({@link Patience}) for the child to exit
   * by itself and returns its exit status, or -1 when it is still running (then {@link #close()}
   * ends it). Keeps the interrupt flag.
   */
  public int awaitExit(long millis) {
    Patience patience = Patience.of(Math.max(0, millis));
    try {
      for (long left; (left = patience.nextWaitMillis()) > 0; ) {
        if (process.waitFor(left, TimeUnit.MILLISECONDS)) {
          return process.exitValue();
        }
      }
      if (!process.isAlive()) {
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }

  /**
   * The lines the child wrote to its standard error so far (the first 100); after {@link
   * #awaitExit} returned a status, wait up to {@code millis} for the pipe to be read to its end.
   */
  public List<String> stderrLines(long millis) {
    try {
      stderrEnd.await(Math.max(0, millis), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.copyOf(stderr);
  }

  /**
   * Sends signal {@code name} ("STOP", "CONT", ...) to the child with kill(1); true when kill
   * succeeded within {@code millis}. The child keeps running (or stays stopped): {@link #close()}
   * still kills it, stopped or not.
   */
  public boolean signal(String name, int millis) {
    if (!name.matches("[A-Z0-9]{1,8}")) {
      throw new IllegalArgumentException("a signal name such as STOP or CONT; got " + name + ".");
    }
    Integer number = SIGNALS.get(name);
    if (number != null && Platform.isLinux()) {
      try { // kill(2) through JNA: at once (starting kill(1) takes 0.1-0.3 s on a loaded machine)
        return Kill.C.kill((int) process.pid(), number) == 0;
      } catch (UnsatisfiedLinkError | RuntimeException e) {
        // no JNA here: kill(1) below
      }
    }
    try {
      Process k =
          new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!k.waitFor(millis, TimeUnit.MILLISECONDS)) {
        k.destroyForcibly();
        return false;
      }
      return k.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Linux signal numbers (x86-64 and arm64) of the signals the lab sends. */
  private static final java.util.Map<String, Integer> SIGNALS =
      java.util.Map.of("CONT", 18, "STOP", 19, "TERM", 15, "KILL", 9, "INT", 2);

  /** libc kill(2). */
  private interface Kill extends com.sun.jna.Library {
    Kill C = Native.load("c", Kill.class);

    int kill(int pid, int sig);
  }

  /** Kills and reaps the child (SIGKILL; up to 5 s). */
  @Override
  public void close() {
    kill(5_000);
  }

  private static void close(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing left to release
    }
  }

  // ---------------------------------------------------------------- where java and the classes are

  /** This JVM's own java launcher. */
  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The class path of a child: where this library (and JNA, and Tablesaw) were loaded from, then
   * java.class.path. A notebook kernel loads tcplab.jar through its own class loader, not
   * java.class.path; the jar's manifest Class-Path brings its runtime jars along.
   */
  public static String classPath() {
    Set<String> parts = new LinkedHashSet<>();
    add(parts, ChildJvm.class);
    for (String name : new String[] {"com.sun.jna.Native", "tech.tablesaw.api.Table"}) {
      try {
        add(parts, Class.forName(name, false, ChildJvm.class.getClassLoader()));
      } catch (ClassNotFoundException | LinkageError e) {
        // absent: the child says what it cannot do
      }
    }
    for (String p : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!p.isEmpty()) {
        parts.add(p);
      }
    }
    return String.join(File.pathSeparator, parts);
  }

  private static void add(Set<String> parts, Class<?> c) {
    try {
      var src = c.getProtectionDomain().getCodeSource();
      if (src != null) {
        parts.add(Path.of(src.getLocation().toURI()).toString());
      }
    } catch (Exception e) {
      // unknown location: skip
    }
  }

  private static volatile Optional<Path> jnaDir;

  /**
   * A folder holding JNA's native library, unpacked once from JNA's jar, so that child processes
   * skip unpacking it (about 100 ms each). Empty if JNA is not usable here.
   */
  public static Optional<Path> jnaDispatchDir() {
    Optional<Path> d = jnaDir;
    if (d == null) {
      d = unpackJna();
      jnaDir = d;
    }
    return d;
  }

  private static Optional<Path> unpackJna() {
    try {
      String resource =
          "/com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");
      try (InputStream in = Native.class.getResourceAsStream(resource)) {
        if (in == null) {
          return Optional.empty();
        }
        byte[] bytes = in.readAllBytes();
        // in the user's own cache, as JNA does (~/.cache/JNA): never a shared, world-writable
        // folder
        Path dir =
            Path.of(System.getProperty("user.home"), ".cache", "tcplab", "jna-" + bytes.length);
        Path lib = dir.resolve(System.mapLibraryName("jnidispatch"));
        if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
          Files.createDirectories(dir);
          Path tmp = Files.createTempFile(dir, "lib", ".part");
          Files.write(tmp, bytes);
          Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return Optional.of(dir);
      }
    } catch (IOException | RuntimeException | LinkageError e) {
      return Optional.empty(); // children unpack JNA themselves
    }
  }

  // ---------------------------------------------------------------- one value per line

  /** {@code s} on one line: backslash, newline, carriage return and tab escaped. */
  public static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  /** The inverse of {@link #esc}. */
  public static String unesc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
