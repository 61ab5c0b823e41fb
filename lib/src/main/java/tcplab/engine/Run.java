package tcplab.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import tcplab.Result;
import tcplab.Scenario;
import tcplab.Step;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.ProcNetTcp;
import tcplab.proc.Daemons;

/** Plays a {@link Scenario} on real sockets: connection set-up, steps with deadlines, cleanup. */
public final class Run {
  private Run() {}

  /**
   * What one pass observed: per step, its start time, its view and the sockets' states after it;
   * what poll() and epoll_wait() reported on each side's socket after it ("client IN OUT · server
   * OUT"; empty in a pass that does not observe); and the packets of the connection (empty, with
   * {@code captureNote} saying why, without capture).
   */
  public record Trace(
      List<Double> times,
      List<String> views,
      List<String> states,
      List<Double> stateTimes,
      double wallMillis,
      List<Capture.Packet> packets,
      double t0EpochSeconds,
      int clientPort,
      String captureNote,
      List<String> ready,
      List<String> readyEpoll) {

    /** The same trace with another capture note. */
    public Trace withCaptureNote(String note) {
      return new Trace(
          times,
          views,
          states,
          stateTimes,
          wallMillis,
          packets,
          t0EpochSeconds,
          clientPort,
          note,
          ready,
          readyEpoll);
    }
  }

  /**
   * How long a server peer process may take to start (a process start is not a step: it has its own
   * bound).
   */
  public static int peerStartMillis() {
    return Child.START_MILLIS;
  }

  /**
   * Keeps one server peer process per mode started and waiting (see {@code Child.keepWarm}); for
   * the private host.
   */
  public static void keepPeersWarm(boolean on) {
    Child.keepWarm(on);
    Child.refillWarm();
  }

  /** Starts the warm peers a play used up, in the background. */
  public static void refillWarmPeers() {
    Child.refillWarm();
  }

  public static Result play(Scenario s) {
    return play(s, row -> {});
  }

  /**
   * Plays {@code s} in this JVM; {@code onRow} gets one line per step of each pass as it happens.
   */
  public static Result play(Scenario s, Consumer<String> onRow) {
    Optional<String> cMissing = CView.unavailableReason();
    Child cChild = null;
    Child javaChild = null;
    try {
      if (s.serverCrashes()) { // both server processes start at once; the second is ready when its
        // pass begins
        cChild = cMissing.isEmpty() ? Child.start(Ops.Mode.C) : null;
        javaChild = Child.start(Ops.Mode.JAVA);
      }
      Trace c = cMissing.isEmpty() ? once(s, Ops.Mode.C, cChild, onRow) : null;
      Trace java = once(s, Ops.Mode.JAVA, javaChild, onRow);
      return new Result(s, c, java, cMissing.orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException(
          "scenario \"" + s.name() + "\" could not start its server process: " + e.getMessage(), e);
    } finally {
      if (cChild != null) {
        cChild.close();
      }
      if (javaChild != null) {
        javaChild.close();
      }
    }
  }

  /** One pass over the steps on a fresh connection; {@code child} is the server process, if any. */
  static Trace once(Scenario s, Ops.Mode mode, Child child) {
    return once(s, mode, child, row -> {});
  }

  /**
   * Like {@link #once(Scenario, Ops.Mode, Child)}; {@code onRow} gets each step's row as soon as it
   * is done.
   */
  static Trace once(Scenario s, Ops.Mode mode, Child child, Consumer<String> onRow) {
    int deadline = s.stepDeadlineMillis();
    List<Double> times = new ArrayList<>();
    List<String> views = new ArrayList<>();
    List<String> states = new ArrayList<>();
    List<Double> stateTimes = new ArrayList<>();
    List<String> ready = new ArrayList<>();
    List<String> readyEpoll = new ArrayList<>();
    Ready readiness = new Ready(mode == Ops.Mode.C, child);
    ExecutorService worker = Executors.newSingleThreadExecutor(Daemons.named("tcplab-step"));
    Ops.End client = null;
    Ops.End server = null;
    Capture capture = null;
    String captureNote = Capture.unavailableReason().orElse(null);
    long t0 = System.nanoTime();
    try {
      InetAddress lo = InetAddress.getLoopbackAddress();
      int serverPort;
      ServerSocket listener = null;
      if (child != null) {
        serverPort = child.port();
      } else {
        listener = new ServerSocket(0, 1, lo);
        serverPort = listener.getLocalPort();
      }
      if (captureNote == null) {
        try {
          capture = Capture.start("lo", serverPort);
        } catch (RuntimeException e) {
          captureNote = e.getMessage();
        }
      }
      t0 = System.nanoTime();
      double t0Epoch = epochSeconds();
      Socket cs = new Socket();
      cs.connect(new InetSocketAddress(lo, serverPort), deadline);
      client = new Ops.End(cs);
      if (child != null) {
        child.awaitReady(
            Math.max(deadline, Child.START_MILLIS)); // a process start is not a step: own bound
      } else {
        try (ServerSocket l = listener) {
          l.setSoTimeout(deadline);
          server = new Ops.End(l.accept());
        }
      }
      if (mode == Ops.Mode.C) {
        client.fd(); // find the descriptors while both ends are connected
        if (server != null) {
          server.fd();
        }
      }
      Ports ports = Ports.of(cs.getLocalPort(), serverPort);
      boolean observe =
          mode == Ops.Mode.C || CView.unavailableReason().isPresent(); // the pass that shows states
      boolean stopped = false;
      for (Step step : s.steps()) {
        long[] began = {System.nanoTime()};
        boolean ran = !stopped;
        String view;
        if (stopped) {
          view = "not run: an earlier call blocked";
        } else if (step.isWait()) {
          view = await(step, ports, deadline);
        } else if (step.op() == Step.Op.CRASH) {
          int status = child.crash(deadline);
          boolean noticed =
              until(
                  deadline,
                  () ->
                      ports
                          .row(Side.CLIENT)
                          .map(r -> !r.state().equals("ESTABLISHED"))
                          .orElse(true));
          view =
              "killed by SIGKILL (exit status "
                  + status
                  + ")"
                  + (noticed ? "" : "; the client's kernel saw nothing yet");
        } else if (step.side() == Side.SERVER && child != null) {
          view = child.perform(step, deadline);
        } else {
          Ops.End end = step.side() == Side.CLIENT ? client : server;
          Future<String> f =
              worker.submit(
                  () -> {
                    began[0] =
                        System
                            .nanoTime(); // the call itself, not the hand-over to the worker thread
                    return Ops.perform(end, step, mode, deadline);
                  });
          try {
            view = f.get(deadline + 1_000L, TimeUnit.MILLISECONDS);
          } catch (TimeoutException e) {
            end.close();
            view = Ops.blocked(deadline) + " (the socket was closed to unblock it)";
            stopped = true;
            readiness.closed(step.side());
          }
        }
        if (ran) {
          readiness.after(step);
        }
        times.add((began[0] - t0) / 1e6);
        views.add(view);
        stateTimes.add((System.nanoTime() - t0) / 1e6);
        states.add(observe ? ports.states() : "");
        String[] r = readiness.observe(client, server);
        ready.add(r[0]);
        readyEpoll.add(r[1]);
        onRow.accept(
            row(mode, times.get(times.size() - 1), step, view, states.get(states.size() - 1))
                + (r[0].isEmpty() ? "" : "  {poll: " + r[0] + "}"));
      }
      double wall = (System.nanoTime() - t0) / 1e6;
      List<Capture.Packet> packets = capture == null ? List.of() : capture.stop();
      return new Trace(
          times,
          views,
          states,
          stateTimes,
          wall,
          packets,
          t0Epoch,
          cs.getLocalPort(),
          captureNote,
          ready,
          readyEpoll);
    } catch (IOException e) {
      throw new IllegalStateException(
          "scenario \"" + s.name() + "\" could not set up its connection: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("scenario \"" + s.name() + "\" was interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "scenario \"" + s.name() + "\" failed: " + e.getCause(), e.getCause());
    } finally {
      if (capture != null) {
        capture.close();
      }
      if (client != null) {
        client.close();
      }
      if (server != null) {
        server.close();
      }
      worker.shutdownNow();
    }
  }

  /**
   * One streamed row: "C pass 12.34 ms client write(fd, "hello", 5) = 5 [client ESTABLISHED ·
   * ...]".
   */
  static String row(Ops.Mode mode, double t, Step step, String view, String states) {
    return String.format(
        java.util.Locale.ROOT,
        "%s pass %8.2f ms  %-6s %s %s %s%s",
        mode == Ops.Mode.C ? "C" : "Java",
        t,
        step.side(),
        step.call(),
        step.isWait() ? ":" : "=",
        view,
        states.isEmpty() ? "" : "  [" + states + "]");
  }

  private static double epochSeconds() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() + now.getNano() / 1e9;
  }

  /**
   * The two ends' ports, and their rows in /proc/net/tcp6 (Java's dual-stack sockets) or
   * /proc/net/tcp.
   */
  record Ports(int client, int server, String[] files) {
    static Ports of(int client, int server) {
      boolean v6 =
          ProcNetTcp.rows(ProcNetTcp.DEFAULT_PREFIX, "tcp6").stream()
              .anyMatch(r -> r.localPort() == client && r.remotePort() == server);
      return new Ports(client, server, v6 ? new String[] {"tcp6"} : new String[] {"tcp"});
    }

    private List<ProcNetTcp.Row> rows() {
      return ProcNetTcp.rows(ProcNetTcp.DEFAULT_PREFIX, files);
    }

    Optional<ProcNetTcp.Row> row(Side side) {
      return side == Side.CLIENT ? find(rows(), client, server) : find(rows(), server, client);
    }

    /** "client ESTABLISHED · server CLOSE_WAIT (Recv-Q 5)". */
    String states() {
      if (!ProcNetTcp.available()) {
        return "not observable here: no /proc/net/tcp";
      }
      List<ProcNetTcp.Row> rows = rows();
      return "client "
          + describe(find(rows, client, server))
          + " · server "
          + describe(find(rows, server, client));
    }

    private static Optional<ProcNetTcp.Row> find(List<ProcNetTcp.Row> rows, int local, int remote) {
      return rows.stream()
          .filter(r -> r.localPort() == local && r.remotePort() == remote)
          .findFirst();
    }

    private static String describe(Optional<ProcNetTcp.Row> row) {
      if (row.isEmpty()) {
        return ProcNetTcp.NOT_LISTED;
      }
      ProcNetTcp.Row r = row.get();
      StringBuilder b = new StringBuilder(r.state());
      if (r.sendQ() > 0 || r.recvQ() > 0) {
        b.append(" (");
        if (r.recvQ() > 0) {
          b.append("Recv-Q ").append(r.recvQ());
        }
        if (r.sendQ() > 0) {
          b.append(r.recvQ() > 0 ? ", " : "").append("Send-Q ").append(r.sendQ());
        }
        b.append(")");
      }
      return b.toString();
    }
  }

  private static String await(Step step, Ports ports, int deadline) throws InterruptedException {
    long start = System.nanoTime();
    if (step.op() == Step.Op.PAUSE) {
      Thread.sleep(step.number());
      return "paused " + step.number() + " ms";
    }
    Predicate<Optional<ProcNetTcp.Row>> done =
        switch (step.op()) {
          case AWAIT_UNREAD -> r -> r.map(x -> x.recvQ() >= step.number()).orElse(false);
          case AWAIT_SEND_QUEUE -> r -> r.map(x -> x.sendQ() <= step.number()).orElse(false);
          case AWAIT_STATE -> r -> r.map(x -> x.state()).orElse("CLOSED").equals(step.text());
          default -> throw new IllegalArgumentException(step.op().toString());
        };
    boolean ok = until(deadline, () -> done.test(ports.row(step.side())));
    double ms = (System.nanoTime() - start) / 1e6;
    return ok
        ? String.format("reached after %.1f ms", ms)
        : "not reached within "
            + deadline
            + " ms ("
            + ports.row(step.side()).map(ProcNetTcp.Row::text).orElse("no socket")
            + ")";
  }

  /** Polls {@code condition} every 2 ms until it holds or {@code millis} pass. */
  public static boolean until(int millis, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(2);
    }
  }
}
