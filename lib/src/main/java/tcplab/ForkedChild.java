package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tcplab.engine.ForkRun;
import tcplab.engine.Rows;
import tcplab.engine.Run;
import tcplab.net.PrivateHost;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.Spawn;
import tcplab.proc.Processes;
import tcplab.text.Text;
import tech.tablesaw.api.Table;

/**
 * A reader's question of lesson 17: "I killed process A with kill -2, B's connection stayed
 * ESTABLISHED and A could not bind its port again". A server process (a child JVM) accepts a
 * connection and starts a child program that inherits the connection and the listening socket
 * (posix_spawn with the sockets not close-on-exec: what fork() and exec() do in C). Killing the
 * server sends no FIN and frees no port while the child lives; with close-on-exec set (Java's
 * default, SOCK_CLOEXEC in C) the child inherits nothing. Java's ProcessBuilder passes no socket at
 * all: {@link #processBuilder()}.
 */
public final class ForkedChild {
  private ForkedChild() {}

  /** Deadline of each blocking step. */
  public static final int DEFAULT_DEADLINE_MS = 5_000;

  /** Longest step deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  /**
   * One run.
   *
   * @param steps each call with what it returned, what happened, what Linux is expected to do, and
   *     the states in /proc/net/tcp
   * @param packets the server port's packets (times in ms from the first), or null without capture
   * @param note why there are no packets, or null
   * @param facts the outcome in words, for tests and the bench: finsWhileChildLived,
   *     finsAfterChildExit, clientReadWhileChildLives (EAGAIN or EOF), bindWhileChildLives (0 or
   *     EADDRINUSE), bindAfterChild, childSocketFds, jdkCloexec, ...
   */
  public record Outcome(Table steps, Table packets, String note, Map<String, String> facts) {

    /** What happened, in one sentence built from the facts. */
    public String summary() {
      String fins =
          facts.containsKey("finsWhileChildLived")
              ? Text.get(
                  "note.forkedFins",
                  facts.get("finsWhileChildLived"),
                  facts.get("finsAfterChildExit"))
              : Text.get("note.noPacketsCaptured");
      return Text.get(
          "note.forked",
          facts.get("childSocketFds"),
          Text.shown(facts.get("clientReadWhileChildLives")),
          Text.shown(facts.get("bindWhileChildLives")),
          Text.shown(facts.get("clientReadAfterChild")),
          Text.shown(facts.get("bindAfterChild")),
          fins);
    }

    /** The outcome as one string (the bench compares these). */
    public String outcome() {
      return "child sockets "
          + facts.get("childSocketFds")
          + "; read "
          + facts.get("clientReadWhileChildLives")
          + "/"
          + facts.get("clientReadAfterChild")
          + "; bind "
          + facts.get("bindWhileChildLives")
          + "/"
          + facts.get("bindAfterChild")
          + "; FIN "
          + facts.getOrDefault("finsWhileChildLived", "?")
          + "/"
          + facts.getOrDefault("finsAfterChildExit", "?");
    }
  }

  /**
   * The server is killed (SIGINT) while its child holds the sockets ({@code closeOnExec} false), or
   * after starting a child that inherited nothing ({@code closeOnExec} true); 5 s per step.
   */
  public static Outcome serverKilled(boolean closeOnExec) {
    return serverKilled(closeOnExec, DEFAULT_DEADLINE_MS);
  }

  /** Like {@link #serverKilled(boolean)}; each blocking step gives up after 1 .. 30000 ms. */
  public static Outcome serverKilled(boolean closeOnExec, int stepDeadlineMillis) {
    int ms = Check.range("stepDeadlineMillis", stepDeadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Optional<String> why = CView.unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException(
          "this run needs libc calls (posix_spawn, fcntl, kill), and " + why.get());
    }
    String where = ScenarioHost.choice();
    ForkRun.Outcome o =
        where.equals("private")
            ? ForkRun.decode(
                PrivateHost.play(
                    ForkRun.class.getName(),
                    closeOnExec + " " + ms,
                    line -> {},
                    Duration.ofMillis(10L * ms + 90_000)))
            : ForkRun.play(closeOnExec, ms);
    Rows t = new Rows(ForkRun.COLUMNS);
    o.rows().forEach(t::add);
    Table packets = null;
    if (o.note() == null && o.facts().containsKey("clientPort")) {
      packets =
          Capture.table(
              o.packets(),
              Double.parseDouble(o.facts().get("t0")),
              Integer.parseInt(o.facts().get("clientPort")));
    }
    String title =
        (closeOnExec
                ? "FD_CLOEXEC set before the spawn: the child inherits neither socket"
                : "Java's sockets as they are (no close-on-exec): the child inherits both")
            + (where.equals("private") ? " (played in the private host)" : "");
    return new Outcome(t.table(title), packets, o.note(), Map.copyOf(o.facts()));
  }

  /**
   * Java's ProcessBuilder leaks no descriptor: this JVM holds a connection whose fds are not
   * close-on-exec, starts {@code sleep} with ProcessBuilder, and lists the child's /proc/PID/fd: no
   * socket (the JDK closes every descriptor above 2 in the child before exec).
   */
  public static Table processBuilder() {
    Optional<String> why = CView.unavailableReason();
    Rows t = new Rows("who", "what", "fdinfo flags / pid", "descriptors (/proc/PID/fd)");
    String name = "a child started by Java's ProcessBuilder inherits no socket";
    if (why.isPresent()) {
      t.add("this JVM", "fcntl(F_DUPFD), ProcessBuilder.start()", why.get());
      return t.table(name);
    }
    long self = ProcessHandle.current().pid();
    Process child = null;
    try (ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket()) {
      l.setSoTimeout(DEFAULT_DEADLINE_MS);
      client.connect(l.getLocalSocketAddress(), DEFAULT_DEADLINE_MS);
      try (Socket server = l.accept()) {
        int cfd = CView.fdOf(client);
        int sfd = CView.fdOf(server);
        List<Spawn.Fd> mine = Spawn.fds(self);
        long open = mine.stream().filter(Spawn.Fd::socket).count();
        long inheritable =
            mine.stream()
                .filter(Spawn.Fd::socket)
                .filter(f -> !Spawn.fdFlags(self, f.fd()).map(Spawn::closeOnExec).orElse(true))
                .count();
        t.add(
            "this JVM (pid " + self + ")",
            "a connection: client fd " + cfd + ", server fd " + sfd,
            "flags "
                + Spawn.fdFlags(self, cfd).orElse("?")
                + ", "
                + Spawn.fdFlags(self, sfd).orElse("?"),
            open
                + " socket fds open, "
                + inheritable
                + " of them without O_CLOEXEC (02000000): an exec would keep them");
        String sleep = Processes.onPath("sleep").orElse("/bin/sleep");
        child = new ProcessBuilder(sleep, "5").start();
        long pid = child.pid();
        Run.until(DEFAULT_DEADLINE_MS, () -> comm(pid).equals("sleep"));
        // the dynamic loader may still hold libc open for a moment after exec: wait (bounded) for
        // it
        Run.until(1_000, () -> Spawn.fds(pid).size() <= 3);
        List<Spawn.Fd> fds = Spawn.fds(pid);
        long sockets = fds.stream().filter(Spawn.Fd::socket).count();
        StringBuilder list = new StringBuilder();
        for (Spawn.Fd f : fds) {
          list.append(list.length() == 0 ? "" : ", ")
              .append(f.fd())
              .append(" → ")
              .append(f.target());
        }
        t.add(
            "child (pid " + pid + ")",
            "new ProcessBuilder(\"" + sleep + "\", \"5\").start()",
            "pid " + pid,
            list + (sockets == 0 ? ": no socket" : ": " + sockets + " socket(s)"));
      }
    } catch (IOException e) {
      throw new IllegalStateException("the ProcessBuilder run failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("the ProcessBuilder run was interrupted.");
    } finally {
      Processes.reap(child, 2_000);
    }
    return t.table(name);
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
