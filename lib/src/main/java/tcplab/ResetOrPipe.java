package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import tcplab.PeerCalls.CIo;
import tcplab.PeerCalls.Io;
import tcplab.PeerCalls.JavaIo;
import tcplab.observe.CView;
import tcplab.proc.Deadlines;
import tcplab.proc.Patience;
import tcplab.proc.Processes;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Lesson 17's reliable_client02 question, swept: after the peer process is SIGKILLed, does the
 * sender see "Connection reset by peer" (ECONNRESET) or "Broken pipe" (EPIPE)?
 *
 * <p>The dying peer is a real {@code bash} process connected to a listener in this JVM. At death
 * its kernel sends RST if the socket's receive queue still held unread bytes (the sender's next
 * write or read gets ECONNRESET), else FIN (the next write succeeds and draws an RST, the write
 * after it gets EPIPE; a read gets 0). The pause between the sender's writes only matters through
 * that queue: {@link Control#UNREAD} and {@link Control#EMPTY} fix it and give one outcome for
 * every pause; {@link Control#NATURAL} leaves it to the race between the sender's rhythm and a
 * reader that reads up to 1 KiB then sleeps 10 ms.
 */
public final class ResetOrPipe {
  private ResetOrPipe() {}

  /** What the dying peer's receive queue holds when it is killed. */
  public enum Control {
    /** The peer never reads; killed once its Recv-Q &gt; 0: RST. */
    UNREAD("unread data (RST)"),
    /** The peer reads everything; killed once its Recv-Q and our Send-Q are 0: FIN. */
    EMPTY("empty (FIN)"),
    /**
     * Like reliable_server02 (up to 1 KiB per read, then 10 ms sleep), killed 40-60 ms after our
     * first write.
     */
    NATURAL("not controlled: reads 1 KiB / 10 ms");

    private final String text;

    Control(String text) {
      this.text = text;
    }

    /** The row label used in {@link #sweep}. */
    public String text() {
      return text;
    }
  }

  /** The sender's first call after the peer's death was reaped. */
  public enum FirstCall {
    READ,
    WRITE
  }

  /** Outcome labels. */
  public static final String WRITE_RESET = "write: ECONNRESET",
      WRITE_OK_THEN_PIPE = "write ok, then EPIPE",
      WRITE_PIPE = "write: EPIPE",
      READ_RESET = "read: ECONNRESET",
      READ_EOF = "read: 0 (EOF)",
      TIMED_OUT = "timed out",
      NO_DEATH = "no death observed";

  /**
   * Writes under UNREAD and EMPTY, with the pause between them, before the queue is brought to its
   * state.
   */
  static final int CONTROL_WRITES = 2;

  /**
   * NATURAL: the kill time after the first write is drawn uniformly from [KILL_FROM, KILL_TO) ms.
   */
  static final int KILL_FROM_MILLIS = 40, KILL_TO_MILLIS = 60;

  /** Deadline for accept, READY, reaching the control state and reaping the killed peer. */
  static final int SETUP_MILLIS = 10_000;

  /** Deadline for each read or write of the sender. */
  static final int CALL_MILLIS = 1_000;

  static final byte[] MESSAGE = "network programming".getBytes(StandardCharsets.US_ASCII);
  private static final List<String> KNOWN =
      List.of(
          WRITE_RESET, WRITE_OK_THEN_PIPE, WRITE_PIPE, READ_RESET, READ_EOF, TIMED_OUT, NO_DEATH);

  /**
   * One run: connect a fresh bash peer, bring its receive queue to {@code c}, SIGKILL it, return
   * what {@code f} sees.
   */
  public static String once(Control c, int pauseMillis, FirstCall f) {
    return once(c, pauseMillis, f, CView.unavailableReason().isEmpty());
  }

  /**
   * Runs every (control, pause, first call) {@code runsPerPoint} times; pauses default to 0, 1, 10,
   * 100 ms.
   */
  public static Table sweep(int runsPerPoint, int... pausesMillis) {
    Check.range("runsPerPoint", runsPerPoint, 1, 100, "runs");
    int[] pauses =
        pausesMillis == null || pausesMillis.length == 0 ? new int[] {0, 1, 10, 100} : pausesMillis;
    Check.range("the number of pauses", pauses.length, 1, 8, "values");
    for (int p : pauses) {
      Check.range("pause", p, 0, 1000, "ms");
    }
    Optional<String> noC = CView.unavailableReason();
    DyingPeer.bash(); // fail with one sentence before any run
    StringColumn control = StringColumn.create("dying peer's receive queue");
    IntColumn pause = IntColumn.create("pause (ms)");
    StringColumn call = StringColumn.create("first call");
    StringColumn verdict = StringColumn.create("verdict");
    List<Map<String, Integer>> counts = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Control c : Control.values()) {
      for (int p : pauses) {
        for (FirstCall f : new FirstCall[] {FirstCall.WRITE, FirstCall.READ}) {
          Map<String, Integer> n = new LinkedHashMap<>();
          for (int i = 0; i < runsPerPoint; i++) {
            if (Thread.currentThread()
                .isInterrupted()) { // the stop button: end between runs, nothing left
              throw new IllegalStateException("ResetOrPipe.sweep was interrupted.");
            }
            String label = once(c, p, f, noC.isEmpty());
            n.merge(label, 1, Integer::sum);
            if (!seen.contains(label)) {
              seen.add(label);
            }
          }
          control.append(c.text());
          pause.append(p);
          call.append(f.name().toLowerCase());
          counts.add(n);
        }
      }
    }
    seen.sort((a, b) -> Integer.compare(rank(a), rank(b)));
    List<IntColumn> outcome = new ArrayList<>();
    for (String label : seen) {
      IntColumn col = IntColumn.create(label);
      counts.forEach(n -> col.append(n.getOrDefault(label, 0)));
      outcome.add(col);
    }
    for (Map<String, Integer> n : counts) {
      if (n.size() == 1) {
        verdict.append(runsPerPoint + "/" + runsPerPoint + " identical");
      } else {
        StringBuilder v = new StringBuilder("race: ");
        seen.stream()
            .filter(n::containsKey)
            .forEach(l -> v.append(v.length() > 6 ? "/" : "").append(n.get(l)));
        verdict.append(v.toString());
      }
    }
    Table t =
        Table.create(
            "first result after the peer process is SIGKILLed, "
                + runsPerPoint
                + " runs per row ("
                + noC.map(why -> "Java view: exception messages, because the C view is " + why)
                    .orElse("C view: write()/recv() and errno")
                + ")");
    t.addColumns(control, pause, call);
    outcome.forEach(t::addColumns);
    t.addColumns(verdict);
    return t;
  }

  private static int rank(String label) {
    int i = KNOWN.indexOf(label);
    return i >= 0 ? i : KNOWN.size();
  }

  /** One run in the C view (libc errno) or the Java view (exception messages). */
  static String once(Control c, int pauseMillis, FirstCall f, boolean cView) {
    Objects.requireNonNull(c, "control");
    Objects.requireNonNull(f, "first call");
    Check.range("pause", pauseMillis, 0, 1000, "ms");
    String bash = DyingPeer.bash();
    ServerSocket listener = null;
    Socket s = null;
    Process peer = null;
    ScheduledFuture<?> guard = null;
    AtomicBoolean guardFired = new AtomicBoolean();
    try {
      listener = new ServerSocket(0, 1, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
      listener.setSoTimeout(SETUP_MILLIS);
      ProcessBuilder pb =
          new ProcessBuilder(
                  bash,
                  "--norc",
                  "--noprofile",
                  "-c",
                  DyingPeer.script(c),
                  "peer",
                  Integer.toString(listener.getLocalPort()))
              .redirectErrorStream(true);
      pb.environment().remove("BASH_ENV");
      peer = pb.start();
      try {
        s = Deadlines.accept(listener, SETUP_MILLIS);
      } catch (SocketTimeoutException e) {
        throw new IllegalStateException(
            "the bash peer did not connect within "
                + SETUP_MILLIS
                + " ms (does this bash"
                + " support /dev/tcp?); it printed: "
                + DyingPeer.drain(peer.getInputStream()));
      }
      listener.close();
      DyingPeer.awaitReady(peer);
      Socket sock = s;
      if (!cView) { // java.net.Socket has no send timeout: a stuck write is ended by closing the
        // socket
        guard =
            DyingPeer.watchdog()
                .schedule(
                    () -> {
                      guardFired.set(true);
                      DyingPeer.close(sock);
                    },
                    (long)
                        (Patience.stretch()
                            * (SETUP_MILLIS * 2L
                                + CONTROL_WRITES * (long) pauseMillis
                                + CALL_MILLIS * 3L)),
                    TimeUnit.MILLISECONDS);
      }
      Io io = cView ? new CIo(CView.fdOf(s)) : new JavaIo(s);
      int peerPort = s.getPort(), ourPort = s.getLocalPort();
      if (c == Control.NATURAL) {
        // The sender writes with its pause until the kill time T (uniform in 40-60 ms, so its phase
        // against both
        // rhythms is random), then the kill follows within microseconds. The sender does not keep
        // writing in
        // another thread: a write racing the kill could itself consume the RST before waitFor()
        // returns, and
        // "the first call after the death" would then report the second error (EPIPE) instead of
        // the first
        // (our reading of the kernel's behaviour; not measured).
        long t0 = System.nanoTime();
        long killAt =
            t0
                + ThreadLocalRandom.current().nextLong(KILL_FROM_MILLIS, KILL_TO_MILLIS)
                    * 1_000_000L
                + ThreadLocalRandom.current().nextLong(1_000_000L);
        while (true) {
          String w = io.write();
          if (!w.isEmpty()) {
            return guardFired.get() ? TIMED_OUT : "before the kill: write: " + w;
          }
          long now = System.nanoTime();
          if (now >= killAt
              || !DyingPeer.sleepUntil(Math.min(killAt, now + pauseMillis * 1_000_000L))
              || System.nanoTime() >= killAt) {
            break; // the kill time came, during a write or during the pause
          }
        }
      } else {
        for (int i = 0; i < CONTROL_WRITES; i++) {
          if (i > 0) {
            DyingPeer.sleepUntil(System.nanoTime() + pauseMillis * 1_000_000L);
          }
          String w = io.write();
          if (!w.isEmpty()) {
            return guardFired.get() ? TIMED_OUT : "before the kill: write: " + w;
          }
        }
        boolean reached =
            c == Control.UNREAD
                ? DyingPeer.until(() -> DyingPeer.queue(peerPort, ourPort, true) > 0)
                : DyingPeer.until(
                    () ->
                        DyingPeer.queue(peerPort, ourPort, true) == 0
                            && DyingPeer.queue(ourPort, peerPort, false) == 0);
        if (!reached) {
          return TIMED_OUT;
        }
      }
      peer.destroyForcibly(); // SIGKILL: the kernel closes the peer's socket as after a crash
      if (!peer.waitFor(SETUP_MILLIS, TimeUnit.MILLISECONDS)) {
        return NO_DEATH;
      }
      String label = f == FirstCall.READ ? readLabel(io.read()) : writeLabel(io);
      return guardFired.get() ? TIMED_OUT : label;
    } catch (IOException e) {
      throw new IllegalStateException(
          "ResetOrPipe could not set up its loopback connection: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("ResetOrPipe was interrupted.", e);
    } finally {
      if (guard != null) {
        guard.cancel(false);
      }
      if (s != null) {
        try {
          s.setSoLinger(
              true, 0); // our close sends RST: no TIME_WAIT left behind by the peer's orphan
        } catch (IOException ignored) {
          // already closed
        }
      }
      DyingPeer.close(s);
      DyingPeer.close(listener);
      Processes.reap(peer, SETUP_MILLIS);
    }
  }

  private static String readLabel(String r) {
    return r.equals(TIMED_OUT) ? TIMED_OUT : "read: " + r;
  }

  private static String writeLabel(Io io) {
    String first = io.write();
    if (first.equals(TIMED_OUT)) {
      return TIMED_OUT;
    }
    if (!first.isEmpty()) {
      return "write: " + first;
    }
    String second = io.write();
    if (second.equals(TIMED_OUT)) {
      return TIMED_OUT;
    }
    return second.isEmpty() ? NO_DEATH : "write ok, then " + second;
  }
}
