package tcplab.net;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import tcplab.proc.ChildJvm;
import tcplab.proc.Patience;
import tcplab.proc.Processes;

/**
 * A private host: one child JVM that is root of its own user, network, mount and PID namespace
 * ({@code unshare -rnmpf}), with its own loopback up. There it may do what a student's account may
 * not: capture packets, cut links, create more namespaces; its sockets live on its own 127.0.0.1,
 * which nothing else sees.
 *
 * <p>It starts on the first {@link #play} (or {@link #warmUp()}) and stays, warm, for the next
 * ones; a play that passes its deadline or whose caller is interrupted kills it (SIGKILL; its
 * namespaces and every process in them die with it), and the next play starts a fresh one. Plays
 * run one at a time.
 *
 * <p>Protocol (one line each way, values escaped with {@link ChildJvm#esc}): the parent sends
 * {@code PLAY\tentryClass\tpayload}; the child answers {@code L\tline} for every emitted line, then
 * {@code R\tresult} or {@code E\texceptionClass\tmessage}. The child exits at end-of-file on its
 * standard input.
 */
public final class PrivateHost {
  private PrivateHost() {}

  /**
   * How long the private host may take to start and warm up (a loaded classroom machine is slow).
   */
  static final int START_MILLIS = 30_000;

  /**
   * Classes whose static {@code warmUp()} the private host calls once at its start (by name: no
   * dependency).
   */
  static final List<String> WARM_UP = List.of("tcplab.ScenarioHost");

  private static final ReentrantLock LOCK = new ReentrantLock();
  private static volatile ChildJvm host; // changed only under LOCK
  private static volatile String reason; // "" when available
  private static volatile int starts;

  /**
   * True when unprivileged user namespaces work here, so a private host can start (probed once).
   */
  public static boolean available() {
    return why().isEmpty();
  }

  /** Why there is no private host here, in one sentence; "" when there is one. */
  public static String why() {
    String r = reason;
    if (r == null) {
      synchronized (PrivateHost.class) {
        if (reason == null) {
          reason = probe();
        }
        r = reason;
      }
    }
    return r;
  }

  /** How many private hosts this JVM has started so far (a test sees a restart). */
  public static int starts() {
    return starts;
  }

  /** The process id of the running private host (its {@code unshare}), or -1 when none runs. */
  public static long pid() {
    ChildJvm h = host;
    return h != null && h.alive() ? h.pid() : -1;
  }

  /**
   * Starts the private host in the background, if it is available and not running, so the first
   * play is quick.
   */
  public static void warmUp() {
    if (!available()) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              if (LOCK.tryLock()) {
                try {
                  ensure(Patience.of(START_MILLIS));
                } catch (IOException | InterruptedException | RuntimeException e) {
                  // the next play reports it
                } finally {
                  LOCK.unlock();
                }
              }
            },
            "tcplab-private-host-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Calls {@code entryClass.playInChild(payload, emit)} in the private host and returns what it
   * returns. Every {@code emit(line)} there reaches {@code onLine} here as it happens. An exception
   * there is thrown here with its message (an IllegalArgumentException stays one; anything else is
   * an IllegalStateException).
   *
   * @throws IllegalStateException when there is no private host here, when the play passes {@code
   *     deadline} (the host is killed), or when the caller is interrupted (the host is killed; the
   *     interrupt flag stays set)
   */
  public static String play(
      String entryClass, String payload, Consumer<String> onLine, Duration deadline) {
    Objects.requireNonNull(entryClass, "entryClass");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(onLine, "onLine");
    long millis = deadline.toMillis();
    if (millis < 1 || millis > 3_600_000) {
      throw new IllegalArgumentException("deadline must be 1 ms .. 1 h; got " + deadline + ".");
    }
    if (!available()) {
      throw new IllegalStateException("there is no private host here: " + why());
    }
    Patience waiting = Patience.of(millis);
    try {
      if (!lock(waiting)) {
        throw new IllegalStateException(
            "another play held the private host for all of the "
                + waiting.describe()
                + " deadline.");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the private host.");
    }
    boolean answered = false;
    try {
      String result = playLocked(entryClass, payload, onLine, millis);
      answered = true;
      return result;
    } catch (IllegalArgumentException | IllegalStateException e) {
      answered =
          host != null; // an exception the host sent (it keeps running), or one after which it was
      // killed
      throw e;
    } finally {
      if (!answered) { // anything else (a ThreadDeath from a kernel's stop, an Error): its lines
        // must not reach the next play
        kill();
      }
      LOCK.unlock();
    }
  }

  private static String playLocked(
      String entryClass, String payload, Consumer<String> onLine, long millis) {
    ChildJvm h = null;
    RuntimeException fromOnLine = null;
    try {
      // a start is not the play: it gets its own bound
      h = ensure(Patience.of(START_MILLIS));
      h.send("PLAY\t" + ChildJvm.esc(entryClass) + "\t" + ChildJvm.esc(payload));
      Patience play = Patience.of(millis);
      while (true) {
        String line = h.next(play);
        if (line == null) {
          kill();
          throw new IllegalStateException(
              entryClass
                  + " did not finish within the "
                  + play.describe()
                  + " deadline in the "
                  + "private host; it was killed (SIGKILL) with everything in its namespaces.");
        }
        if (line.startsWith("L\t")) {
          try {
            onLine.accept(ChildJvm.unesc(line.substring(2)));
          } catch (RuntimeException e) {
            fromOnLine =
                fromOnLine == null ? e : fromOnLine; // keep reading: the protocol stays in step
          }
        } else if (line.startsWith("R\t")) {
          if (fromOnLine != null) {
            throw fromOnLine;
          }
          return ChildJvm.unesc(line.substring(2));
        } else if (line.startsWith("E\t")) {
          String[] f = line.split("\t", 3);
          String message = f.length > 2 ? ChildJvm.unesc(f[2]) : "(no message)";
          throw f[1].equals(IllegalArgumentException.class.getName())
              ? new IllegalArgumentException(message)
              : new IllegalStateException(message);
        }
        // anything else is noise from a library on stdout: ignored
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted: "
              + entryClass
              + " was stopped; the private host was killed "
              + "(SIGKILL) with everything in its namespaces.");
    } catch (IOException e) {
      kill();
      throw new IllegalStateException(
          "the private host failed while playing " + entryClass + ": " + e.getMessage(), e);
    }
  }

  /**
   * The running host, started (and warmed up) if there is none; waits for its HELLO until {@code
   * end}.
   */
  private static ChildJvm ensure(Patience start) throws IOException, InterruptedException {
    if (host != null && host.alive()) {
      return host;
    }
    kill();
    // inside, everything plays "here" (TCPLAB_HOST=private in the environment must not nest private
    // hosts)
    List<String> jvm =
        List.of("-Dtcplab.parent=" + ProcessHandle.current().pid(), "-Dtcplab.host=here");
    ChildJvm h = ChildJvm.start(wrapper(), jvm, PrivateHostChild.class.getName(), WARM_UP);
    host = h;
    starts++;
    while (true) {
      String line = h.next(start);
      if (line == null) {
        kill();
        throw new IOException(
            "the private host did not start within "
                + start.describe()
                + "; it printed: "
                + h.printed());
      }
      if (line.startsWith("HELLO")) {
        return h;
      }
    }
  }

  /** Kills and reaps the running host, if any. */
  private static void kill() {
    ChildJvm h = host;
    host = null;
    if (h != null) {
      h.kill(5_000);
    }
  }

  /**
   * Stops the private host now (it would also end with this JVM); the next play starts a fresh one.
   */
  public static void stop() {
    LOCK.lock();
    try {
      kill();
    } finally {
      LOCK.unlock();
    }
  }

  // ---------------------------------------------------------------- the namespaces

  /**
   * {@code unshare} as root of new user, network, mount and PID namespaces; the child JVM is PID 1
   * there, so when it dies every process in them dies too, and {@code --kill-child} kills it when
   * unshare is killed. A tmpfs on /run (private to the mount namespace) lets {@code ip netns add}
   * work inside.
   */
  static List<String> wrapper() {
    String unshare = find("unshare");
    if (unshare == null) {
      throw new IllegalStateException(
          "unshare (util-linux) is not installed, so there is no private host.");
    }
    return List.of(
        unshare,
        "--user",
        "--map-root-user",
        "--net",
        "--mount",
        "--propagation",
        "private",
        "--pid",
        "--fork",
        "--kill-child",
        "--mount-proc",
        "sh",
        "-c",
        "mount -t tmpfs -o mode=755 tmpfs /run 2>/dev/null; exec \"$0\" \"$@\"");
  }

  private static String probe() {
    String unshare = find("unshare");
    if (unshare == null) {
      return "unshare (util-linux) is not installed.";
    }
    List<String> cmd = new ArrayList<>(wrapper());
    cmd.set(cmd.size() - 1, "exit 0"); // the same namespaces, then nothing
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(2, TimeUnit.SECONDS);
        return "unshare did not answer within 10 s.";
      }
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (p.exitValue() != 0) {
        return "unprivileged user namespaces are not allowed here ("
            + (out.isEmpty() ? "unshare exit " + p.exitValue() : out.lines().findFirst().orElse(""))
            + "); an administrator can allow them with "
            + "sysctl kernel.unprivileged_userns_clone=1 (Debian).";
      }
      return "";
    } catch (IOException e) {
      return "unshare could not be run: " + e.getMessage() + ".";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while probing unshare.";
    }
  }

  private static String find(String name) {
    return Processes.onPath(name).orElse(null);
  }

  /** Takes the play lock within the patience's deadline. */
  private static boolean lock(Patience waiting) throws InterruptedException {
    for (long left; (left = waiting.nextWaitMillis()) > 0; ) {
      if (LOCK.tryLock(left, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return false;
  }
}
