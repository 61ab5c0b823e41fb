package tcplab.story;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import tcplab.Wire;
import tcplab.net.Timeline;
import tcplab.net.WireTap;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.LibC;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.TcpInfo;
import tcplab.proc.ChildJvm;
import tcplab.text.Text;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook 08's runs, on 127.0.0.1: a writer in this JVM, a receiver in its own process ({@link
 * SlowReader}) that is paused with SIGSTOP or never reads. The writer fills both buffers, the
 * receiver's kernel advertises a zero window, the writer's kernel sends zero-window (persist)
 * probes, which the receiver's kernel answers, and the writer's write() blocks with no error.
 *
 * <p>{@link #stall} captures the packets on lo (here as root, in the private host for a student:
 * {@link #playInChild}); {@link #endings} measures what ends the wait, one fresh connection per
 * mechanism, without packets.
 */
public final class ZeroWindow {
  private ZeroWindow() {}

  /** Bytes per write() of the writer. */
  public static final int CHUNK = 1024;

  /** How long a receiver process may take to start and accept (a loaded machine is slow). */
  static final int START_MILLIS = 15_000;

  /**
   * One stall: the timeline with its packets and ladder, the writes sampled over time, and the
   * measured facts by name (for tests and the bench).
   */
  public record Stall(Wire wire, Table writes, Map<String, String> facts) {}

  // ---------------------------------------------------------------- the receiver process

  /** The receiver process; {@link #close} always sends SIGCONT, then kills and reaps it. */
  static final class Receiver implements AutoCloseable {
    final ChildJvm jvm;
    final int port;
    int rcvbuf = -1;

    Receiver(boolean reads, int rcvbuf, int heartbeatMillis) throws IOException {
      jvm =
          ChildJvm.start(
              List.of(),
              List.of("-Xmx32m"),
              SlowReader.class.getName(),
              List.of(
                  reads ? "READS" : "NEVER",
                  Integer.toString(rcvbuf),
                  Integer.toString(heartbeatMillis)));
      try {
        port = Integer.parseInt(jvm.await("PORT", START_MILLIS).substring(5).trim());
      } catch (IOException | RuntimeException e) {
        jvm.close();
        throw e;
      }
    }

    void ready() throws IOException {
      String r = jvm.await("READY", START_MILLIS);
      rcvbuf = Integer.parseInt(r.substring(r.indexOf('=') + 1).trim());
    }

    long pid() {
      return jvm.pid();
    }

    /**
     * Waits (at most {@code millis}) until the process state letter is {@code letter}: a signal is
     * delivered asynchronously, so right after kill(2) a running process may still be running.
     */
    String awaitState(char letter, int millis) {
      long end = System.nanoTime() + millis * 1_000_000L;
      String s = state();
      while (s.charAt(0) != letter && System.nanoTime() < end) {
        try {
          Thread.sleep(2);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        s = state();
      }
      return s;
    }

    /** The process state letter from /proc/pid/stat ("T" stopped, "S" sleeping), or "?". */
    String state() {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid() + "/stat"));
        String s = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return switch (s) {
          case "T" -> "T (stopped)";
          case "S" -> "S (sleeping)";
          case "R" -> "R (running)";
          default -> s;
        };
      } catch (IOException | RuntimeException e) {
        return "?";
      }
    }

    @Override
    public void close() {
      jvm.signal("CONT", 2_000);
      jvm.close();
    }
  }

  // ---------------------------------------------------------------- the writer thread

  /**
   * Writes {@link #CHUNK} bytes per call with java.net's blocking write: one every {@code
   * pauseMillis} until {@link #flood} is set, then back to back, until {@link #stop} or an error.
   */
  static final class Writer {
    final Socket socket;
    final AtomicLong accepted = new AtomicLong();
    final AtomicInteger calls = new AtomicInteger();
    final long started = System.nanoTime();
    volatile long lastReturn = System.nanoTime();
    volatile boolean flood;
    volatile boolean stop;
    volatile String error;
    volatile long errorAt;
    final Thread thread;

    Writer(Socket socket, int pauseMillis) {
      this.socket = socket;
      thread =
          new Thread(
              () -> {
                byte[] chunk = new byte[CHUNK];
                try {
                  OutputStream out = socket.getOutputStream();
                  while (!stop) {
                    if (!flood) {
                      Thread.sleep(pauseMillis);
                    }
                    out.write(chunk);
                    accepted.addAndGet(CHUNK);
                    calls.incrementAndGet();
                    lastReturn = System.nanoTime();
                  }
                } catch (IOException e) {
                  errorAt = System.nanoTime();
                  error = Timeline.text(e);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "tcplab-zero-window-writer");
      thread.setDaemon(true);
      thread.start();
    }

    /** True while a write() has been in progress for more than 50 ms without an error. */
    boolean blocked() {
      return thread.isAlive() && error == null && System.nanoTime() - lastReturn > 50_000_000L;
    }

    double blockedSeconds() {
      return (System.nanoTime() - lastReturn) / 1e9;
    }

    boolean awaitEnd(long millis) {
      try {
        thread.join(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return !thread.isAlive();
    }
  }

  // ---------------------------------------------------------------- one stall, with packets

  /**
   * A receiver that is paused with SIGSTOP after it read for 0.3 s ({@code paused}), or that never
   * reads; the writer floods it, and is watched for {@code watchMillis} after t = 0 (the SIGSTOP,
   * or the first write). A paused receiver then gets SIGCONT and reads everything; the writer of
   * one that never reads is ended by the lab's deadline (close() from another thread).
   */
  public static Stall stall(
      boolean paused, int bufferBytes, int watchMillis, Consumer<String> rows) {
    int[] ports = {-1, -1}; // client, server
    Timeline tl =
        new Timeline(
                new Timeline.States() {
                  @Override
                  public String client() {
                    return ports[0] < 0
                        ? ""
                        : Timeline.describe(ProcNetTcp.find(ports[0], ports[1]));
                  }

                  @Override
                  public String server() {
                    return ports[0] < 0
                        ? ""
                        : Timeline.describe(ProcNetTcp.find(ports[1], ports[0]));
                  }
                })
            .onRow(rows == null ? r -> {} : rows);
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("receiver", paused ? "paused (SIGSTOP)" : "never reads");
    Samples samples = new Samples();
    String note = Capture.unavailableReason().orElse(null);
    Capture cap = null;
    List<Capture.Packet> packets = List.of();
    String title =
        paused
            ? "A paused receiver (SIGSTOP): zero window, probes, a blocked write() and no error"
            : "A program that never reads: zero window, probes, a blocked write() and no error";
    try (Receiver r = new Receiver(paused, bufferBytes, 0)) {
      ports[1] = r.port;
      if (note == null) {
        try {
          cap = Capture.start("lo", r.port);
        } catch (RuntimeException e) {
          note = e.getMessage();
        }
      }
      tl.add(
          tl.now(),
          "receiver",
          "process pid " + r.pid() + " listens on port " + r.port,
          paused ? "it reads everything that arrives" : "it never calls read()",
          false);
      try (Socket w = new Socket()) {
        w.setSendBufferSize(bufferBytes);
        w.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port), START_MILLIS);
        r.ready();
        ports[0] = w.getLocalPort();
        int fd = CView.unavailableReason().isEmpty() ? CView.fdOf(w) : -1;
        facts.put("sndbuf", Integer.toString(w.getSendBufferSize()));
        facts.put("rcvbuf", Integer.toString(r.rcvbuf));
        tl.add(
            tl.now(),
            "client",
            "connect(); SO_SNDBUF asked " + bufferBytes,
            "connected; SO_SNDBUF " + w.getSendBufferSize() + ", receiver's SO_RCVBUF " + r.rcvbuf);
        Writer wr = new Writer(w, 50);
        if (paused) {
          wr.flood = false;
          Plays.sleepUntil(tl, tl.now() + 0.3);
          tl.add(
              tl.now(),
              "client",
              "write(1 KiB) every 50 ms for 0.3 s",
              wr.calls.get() + " writes, " + wr.accepted.get() + " bytes accepted");
          boolean ok = r.jvm.signal("STOP", 2_000);
          tl.zero(); // t = 0 once kill(1) has returned: the receiver is stopped
          tl.add(
              tl.now(),
              "receiver",
              "kill -STOP " + r.pid(),
              ok ? "process state " + r.awaitState('T', 1_000) : "kill -STOP failed");
          wr.flood = true;
        } else {
          tl.zero();
          wr.flood = true;
        }
        tl.add(tl.now(), "client", "write(1 KiB) back to back, in a thread", "");
        long acceptedAtZero = wr.accepted.get();
        double[] at = sampleTimes(watchMillis);
        boolean saidBlocked = false;
        double fill = Double.NaN;
        for (double t : at) {
          Plays.sleepUntil(tl, t);
          samples.add(tl.now(), wr, fd, ports[0], ports[1], tl);
          if (!saidBlocked && full(wr, fd)) {
            saidBlocked = true;
            tl.add(
                tl.now(),
                "client",
                "write() #" + (wr.calls.get() + 1) + " has not returned",
                String.format(
                    "blocked since t = %.3f s, no error; %d bytes accepted in all",
                    (wr.lastReturn - System.nanoTime()) / 1e9 + tl.now(), wr.accepted.get()));
          }
        }
        if (wr.blocked()) { // the last write that returned before the wait that lasts
          fill = (wr.lastReturn - System.nanoTime()) / 1e9 + tl.now();
        }
        facts.put("accepted", Long.toString(wr.accepted.get()));
        facts.put("acceptedAfterZero", Long.toString(wr.accepted.get() - acceptedAtZero));
        facts.put("fillSeconds", Double.isNaN(fill) ? "" : String.format("%.3f", fill));
        facts.put(
            "writer",
            wr.blocked()
                ? String.format("blocked %.1f s, no error", wr.blockedSeconds())
                : wr.error != null ? wr.error : "not blocked");
        facts.put(
            "timer", samples.timer.isEmpty() ? "" : samples.timer.get(samples.timer.size() - 1));
        facts.put("maxTcpiProbes", Integer.toString(samples.maxProbes));
        facts.put("maxBackoff", Integer.toString(samples.maxBackoff));
        tl.add(
            tl.now(),
            "client",
            "the writer after " + watchMillis + " ms",
            wr.blocked()
                ? String.format(
                    "still blocked in write() for %.1f s: no error, no exception, nothing to handle",
                    wr.blockedSeconds())
                : wr.error != null ? wr.error : "not blocked");
        if (paused) {
          wr.stop = true; // the write in progress is the last one
          long before = wr.lastReturn;
          double cont =
              tl.now(); // stamped when it is sent: the window may open before kill returns
          boolean ok = r.jvm.signal("CONT", 2_000);
          tl.add(
              cont,
              "receiver",
              "kill -CONT " + r.pid(),
              ok
                  ? "process state " + r.awaitState('S', 200) + ": it reads again"
                  : "kill -CONT failed");
          boolean ended = wr.awaitEnd(5_000);
          tl.add(
              wr.lastReturn != before
                  ? (wr.lastReturn - System.nanoTime()) / 1e9 + tl.now()
                  : tl.now(),
              "client",
              "the blocked write() returns",
              ended && wr.error == null
                  ? "1024 (the window opened); " + wr.accepted.get() + " bytes accepted in all"
                  : ended ? wr.error : "still blocked 5 s after SIGCONT");
          w.shutdownOutput();
          String eof = awaitLine(r.jvm, "EOF", 5_000);
          long read = eof == null ? -1 : Long.parseLong(eof.substring(4).trim());
          tl.add(
              tl.now(),
              "receiver",
              "read() until end of stream",
              eof == null
                  ? "no end of stream within 5 s"
                  : read
                      + " bytes"
                      + (read == wr.accepted.get()
                          ? " = every byte write() accepted: nothing was lost"
                          : ", but write() accepted " + wr.accepted.get()));
          facts.put("readAfterCont", Long.toString(read));
          facts.put("acceptedTotal", Long.toString(wr.accepted.get()));
        } else {
          wr.stop = true;
          w.close(); // the lab's deadline: close() from another thread wakes the blocked write
          boolean ended = wr.awaitEnd(2_000);
          tl.add(
              tl.now(),
              "lab",
              "deadline " + watchMillis + " ms: close() the writer's socket from another thread",
              ended ? "the blocked write() throws " + wr.error : "the writer is still blocked");
        }
        if (cap != null) {
          packets = cap.stop();
        }
      }
    } catch (IOException e) {
      tl.add(tl.now(), "lab", "the run failed", Timeline.text(e), false);
      facts.put("error", Timeline.text(e));
    } finally {
      if (cap != null) {
        packets = cap.stop();
      }
    }
    probes(packets, ports[0], tl.zeroEpoch(), facts);
    Table table = tl.table(title);
    Wire wire = WireTap.of(table, packets, note, tl.zeroEpoch(), ports[0]);
    return new Stall(wire, samples.table(), facts);
  }

  /**
   * The writer is blocked on a full window: no write() returned for 50 ms and the peer's window is
   * 0 (TCP_INFO; without it, no return for 200 ms). A write that waits for a delayed ACK is not.
   */
  private static boolean full(Writer wr, int fd) {
    if (!wr.blocked()) {
      return false;
    }
    Optional<TcpInfo> i = fd >= 0 ? TcpInfo.of(fd) : Optional.empty();
    return i.map(t -> t.sndWnd() == 0).orElse(wr.blockedSeconds() > 0.2);
  }

  private static double[] sampleTimes(int watchMillis) {
    List<Double> ts = new ArrayList<>();
    for (double t : new double[] {0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5}) {
      if (t * 1000 < watchMillis) {
        ts.add(t);
      }
    }
    for (double t = 1; t * 1000 < watchMillis; t += 1) {
      ts.add(t);
    }
    ts.add(watchMillis / 1000.0);
    return ts.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static String awaitLine(ChildJvm jvm, String prefix, int millis) {
    try {
      return jvm.await(prefix, millis);
    } catch (IOException e) {
      return null;
    }
  }

  /** The writes over time: one row per sample. */
  private static final class Samples {
    final DoubleColumn t = DoubleColumn.create("t (s)");
    final LongColumn calls = LongColumn.create("write() calls returned");
    final LongColumn accepted = LongColumn.create("bytes accepted");
    final StringColumn writer = StringColumn.create("writer");
    final StringColumn sendQ = StringColumn.create("writer Send-Q");
    final StringColumn notSent = StringColumn.create("of which not sent");
    final StringColumn recvQ = StringColumn.create("receiver Recv-Q");
    final StringColumn sndWnd = StringColumn.create("window the writer may use (snd_wnd)");
    final StringColumn timerCol = StringColumn.create("writer timer (/proc/net/tcp)");
    final StringColumn probesCol = StringColumn.create("tcpi_probes");
    final StringColumn backoffCol = StringColumn.create("tcpi_backoff");
    final List<String> timer = new ArrayList<>();
    int maxProbes;
    int maxBackoff;

    void add(double at, Writer wr, int fd, int client, int server, Timeline tl) {
      t.append(Math.round(at * 1000) / 1000.0);
      calls.append(wr.calls.get());
      accepted.append(wr.accepted.get());
      writer.append(
          wr.error != null
              ? wr.error
              : wr.blocked()
                  ? String.format("blocked in write() for %.2f s", wr.blockedSeconds())
                  : "writing");
      Optional<ProcNetTcp.Row> c = ProcNetTcp.find(client, server);
      Optional<ProcNetTcp.Row> s = ProcNetTcp.find(server, client);
      Optional<TcpInfo> info = fd >= 0 ? TcpInfo.of(fd) : Optional.empty();
      sendQ.append(
          fd >= 0 ? String.valueOf(TcpInfo.outq(fd)) : c.map(r -> "" + r.sendQ()).orElse("—"));
      notSent.append(fd >= 0 ? String.valueOf(TcpInfo.outqNotSent(fd)) : "—");
      recvQ.append(s.map(r -> "" + r.recvQ()).orElse("—"));
      sndWnd.append(info.map(i -> "" + i.sndWnd()).orElse("—"));
      String tm =
          c.map(
                  r ->
                      r.timer()
                          + (r.timer().equals("off") ? "" : " (retrnsmt " + r.retransmits() + ")"))
              .orElse("—");
      timerCol.append(tm);
      c.ifPresent(r -> timer.add(r.timer()));
      probesCol.append(info.map(i -> "" + i.probes()).orElse("—"));
      backoffCol.append(info.map(i -> "" + i.backoff()).orElse("—"));
      info.ifPresent(
          i -> {
            maxProbes = Math.max(maxProbes, i.probes());
            maxBackoff = Math.max(maxBackoff, i.backoff());
          });
    }

    Table table() {
      return Table.create(
          "the writer over time (t = 0: the receiver stops reading)",
          t,
          calls,
          accepted,
          writer,
          sendQ,
          notSent,
          recvQ,
          sndWnd,
          timerCol,
          probesCol,
          backoffCol);
    }
  }

  /**
   * From the packets: when the receiver first advertised a zero window, the writer's zero-window
   * probes after it (ACKs without data), which of them got an answer (a window-0 ACK within 20 ms),
   * and the gaps between probes.
   */
  static void probes(
      List<Capture.Packet> packets, int clientPort, double zeroEpoch, Map<String, String> facts) {
    double zero = Double.NaN;
    double opened = Double.NaN;
    List<Double> probes = new ArrayList<>();
    int answered = 0;
    for (int i = 0; i < packets.size(); i++) {
      Capture.Packet p = packets.get(i);
      boolean fromClient = p.srcPort() == clientPort;
      if (!fromClient && Double.isNaN(zero) && p.window() == 0 && !p.closes()) {
        zero = p.epochSeconds();
      }
      if (!fromClient && !Double.isNaN(zero) && Double.isNaN(opened) && p.window() > 0) {
        opened = p.epochSeconds(); // a window update: the receiver reads again
      }
      if (fromClient
          && !Double.isNaN(zero)
          && p.length() == 0
          && p.flags().equals(".")
          && p.epochSeconds() > zero
          && Double.isNaN(opened)) {
        probes.add(p.epochSeconds());
        for (int j = i + 1; j < packets.size(); j++) {
          Capture.Packet q = packets.get(j);
          if (q.epochSeconds() - p.epochSeconds() > 0.02) {
            break;
          }
          if (q.srcPort() != clientPort && q.window() == 0) {
            answered++;
            break;
          }
        }
      }
    }
    facts.put("packets", Integer.toString(packets.size()));
    try { // the receiver's kernel answers an out-of-window segment at most once per this many ms
      facts.put(
          "invalidRatelimitMs",
          Files.readAllLines(Path.of("/proc/sys/net/ipv4/tcp_invalid_ratelimit")).get(0).strip());
    } catch (IOException | RuntimeException e) {
      facts.put("invalidRatelimitMs", "");
    }
    facts.put("zeroWindowAt", Double.isNaN(zero) ? "" : String.format("%.3f", zero - zeroEpoch));
    facts.put(
        "windowOpenedAt", Double.isNaN(opened) ? "" : String.format("%.3f", opened - zeroEpoch));
    facts.put("probes", Integer.toString(probes.size()));
    facts.put("probesAnswered", Integer.toString(answered));
    List<String> at = new ArrayList<>();
    List<String> gaps = new ArrayList<>();
    for (int i = 0; i < probes.size(); i++) {
      at.add(String.format("%.3f", probes.get(i) - zeroEpoch));
      if (i > 0) {
        gaps.add(String.format("%.3f", probes.get(i) - probes.get(i - 1)));
      }
    }
    facts.put("probeTimes", String.join(" ", at));
    facts.put("probeGaps", String.join(" ", gaps));
  }

  // ---------------------------------------------------------------- what ends the wait

  /**
   * One row per mechanism, each on a fresh connection to a fresh receiver process that never reads
   * (or, for the heartbeat, is paused): nothing set, SO_SNDTIMEO, non-blocking write + poll,
   * TCP_USER_TIMEOUT, and an application heartbeat that the receiver sends (liveness, and
   * progress).
   */
  public static Table endings(
      int bufferBytes,
      int waitMillis,
      int sendTimeoutMillis,
      int userTimeoutMillis,
      int heartbeatMillis,
      Consumer<String> rows) {
    Consumer<String> out = rows == null ? r -> {} : rows;
    StringColumn mech = StringColumn.create("mechanism");
    StringColumn saw = StringColumn.create("what the writer saw");
    DoubleColumn after = DoubleColumn.create("ended after (s)");
    StringColumn expected = StringColumn.create("expected (Linux)");
    StringColumn ended = StringColumn.create("ended the wait?");
    Consumer<String[]> add =
        r -> {
          mech.append(r[0]);
          saw.append(r[1]);
          after.append(r[2].isEmpty() ? Double.NaN : Double.parseDouble(r[2]));
          expected.append(r[3]);
          ended.append(r[4]);
          out.accept(String.join(" | ", r));
        };
    add.accept(nothing(bufferBytes, waitMillis));
    add.accept(sendTimeout(bufferBytes, sendTimeoutMillis));
    add.accept(pollWrite(bufferBytes, sendTimeoutMillis));
    add.accept(userTimeout(bufferBytes, userTimeoutMillis, waitMillis));
    add.accept(heartbeatPaused(bufferBytes, heartbeatMillis, waitMillis));
    for (String[] r : heartbeatNeverReads(bufferBytes, heartbeatMillis, waitMillis)) {
      add.accept(r);
    }
    return Table.create(
        "What ends a write() blocked on a zero window (t = 0: the writer starts to flood)",
        mech,
        saw,
        after,
        expected,
        ended);
  }

  private static String secs(long fromNanos) {
    return String.format("%.3f", (System.nanoTime() - fromNanos) / 1e9);
  }

  private static Socket connect(Receiver r, int bufferBytes) throws IOException {
    Socket w = new Socket();
    w.setSendBufferSize(bufferBytes);
    w.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.port)); // no timeout:
    // java.net keeps the descriptor blocking, as C's write() expects (loopback connects at once)
    r.ready();
    return w;
  }

  /** The row of a mechanism that needs libc calls where JNA cannot make them. */
  private static String[] unobservable(String mechanism) {
    return new String[] {
      mechanism, "not observable here: " + CView.unavailableReason().orElse(""), "", "", ""
    };
  }

  private static String[] failed(String mechanism, Exception e) {
    return new String[] {mechanism, "the run failed: " + Timeline.text(e), "", "", "no"};
  }

  private static String[] nothing(int bufferBytes, int waitMillis) {
    String m = "nothing set (java.net write())";
    try (Receiver r = new Receiver(false, bufferBytes, 0);
        Socket w = connect(r, bufferBytes)) {
      Writer wr = new Writer(w, 0);
      wr.flood = true;
      wr.awaitEnd(waitMillis);
      String saw =
          wr.blocked()
              ? String.format(
                  "still blocked after %.1f s, no error (%d bytes accepted)",
                  (System.nanoTime() - wr.started) / 1e9, wr.accepted.get())
              : wr.error != null ? wr.error : "not blocked";
      boolean blocked = wr.blocked();
      w.close(); // the lab's deadline
      wr.awaitEnd(2_000);
      return new String[] {
        m,
        saw + "; the lab's deadline then close()s: " + wr.error,
        blocked ? "" : secs(wr.started),
        "blocks until the peer reads: the probes are answered, so the kernel never gives up",
        blocked ? "no (only the lab's deadline)" : "yes?"
      };
    } catch (IOException e) {
      return failed(m, e);
    }
  }

  private static byte[] timeval(int millis) {
    return ByteBuffer.allocate(16)
        .order(ByteOrder.nativeOrder())
        .putLong(millis / 1000)
        .putLong((millis % 1000) * 1000L)
        .array();
  }

  private static String[] sendTimeout(int bufferBytes, int millis) {
    String m = "SO_SNDTIMEO " + millis + " ms (C write(), blocking)";
    if (CView.unavailableReason().isPresent()) {
      return unobservable(m);
    }
    try (Receiver r = new Receiver(false, bufferBytes, 0);
        Socket w = connect(r, bufferBytes)) {
      int fd = CView.fdOf(w);
      byte[] tv = timeval(millis);
      CResult set =
          LibC.call(() -> LibC.C.setsockopt(fd, 1 /* SOL_SOCKET */, 21 /* SO_SNDTIMEO */, tv, 16));
      if (set.failed()) {
        return new String[] {m, "setsockopt(SO_SNDTIMEO) = " + set.text(), "", "", "no"};
      }
      byte[] chunk = new byte[CHUNK];
      long start = System.nanoTime();
      long total = 0;
      for (int i = 0; i < 100_000; i++) {
        long t = System.nanoTime();
        CResult res = guarded(fd, () -> CView.write(fd, chunk), millis + 5_000);
        if (res.failed() || res.value() < CHUNK) {
          return new String[] {
            m,
            String.format(
                "write() #%d = %s after %.2f s in that call (%d bytes accepted before)",
                i + 1, res.text(), (System.nanoTime() - t) / 1e9, total),
            secs(start),
            String.format(
                "-1 EAGAIN (or a short count) %.1f s after the call began", millis / 1000.0),
            "yes: the program decides what to do"
          };
        }
        total += res.value();
      }
      return new String[] {m, "100000 writes without blocking", "", "", "no"};
    } catch (IOException e) {
      return failed(m, e);
    }
  }

  /**
   * Runs a C call that may block, and shuts the socket down (which wakes it) if it is still in the
   * call after {@code millis}: a wrong guess about the kernel never hangs the lab.
   */
  private static CResult guarded(int fd, java.util.function.Supplier<CResult> call, int millis) {
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(millis);
                CView.shutdown(fd, CView.SHUT_RDWR);
              } catch (InterruptedException e) {
                // the call returned in time
              }
            },
            "tcplab-guard");
    watchdog.setDaemon(true);
    watchdog.start();
    try {
      return call.get();
    } finally {
      watchdog.interrupt();
    }
  }

  private static String[] pollWrite(int bufferBytes, int millis) {
    String m = "non-blocking send() + poll(POLLOUT, " + millis + " ms)";
    if (CView.unavailableReason().isPresent()) {
      return unobservable(m);
    }
    try (Receiver r = new Receiver(false, bufferBytes, 0);
        Socket w = connect(r, bufferBytes)) {
      int fd = CView.fdOf(w);
      byte[] chunk = new byte[CHUNK];
      long start = System.nanoTime();
      long total = 0;
      CResult res = null;
      CResult p = null;
      int ready = 0;
      long t = System.nanoTime();
      while (System.nanoTime() - start < (millis + 5_000L) * 1_000_000L) {
        for (int i = 0; i < 100_000; i++) {
          res = CView.send(fd, chunk, CView.MSG_DONTWAIT);
          if (res.failed()) {
            break;
          }
          total += res.value();
        }
        t = System.nanoTime();
        p = CView.poll(fd, (short) 0x4, millis);
        if (p.failed() || p.value() == 0) {
          break;
        }
        ready++; // the receiver's kernel still took bytes: write again
      }
      return new String[] {
        m,
        String.format(
            "send(MSG_DONTWAIT) until %s (%d bytes in all; poll() said writable %d times while the"
                + " receiver's buffer still took bytes); then poll() = %s after %.2f s: not writable",
            res.text(), total, ready, p.text(), (System.nanoTime() - t) / 1e9),
        secs(start),
        String.format("poll() = 0 after %.1f s: the program decides to give up", millis / 1000.0),
        p.value() == 0 ? "yes: the program decides what to do" : "no"
      };
    } catch (IOException e) {
      return failed(m, e);
    }
  }

  private static String[] userTimeout(int bufferBytes, int millis, int waitMillis) {
    String m = "TCP_USER_TIMEOUT " + millis + " ms (java.net write())";
    if (CView.unavailableReason().isPresent()) {
      return unobservable(m);
    }
    try (Receiver r = new Receiver(false, bufferBytes, 0);
        Socket w = connect(r, bufferBytes)) {
      int fd = CView.fdOf(w);
      CResult set = TcpInfo.setUserTimeout(fd, millis);
      if (set.failed()) {
        return new String[] {m, "setsockopt(TCP_USER_TIMEOUT) = " + set.text(), "", "", "no"};
      }
      Writer wr = new Writer(w, 0);
      wr.flood = true;
      long end = System.nanoTime() + (millis + waitMillis + 2_000L) * 1_000_000L;
      long firstProbe = -1; // the persist timer's first probe doubles the backoff: 0 -> 1
      while (wr.thread.isAlive() && System.nanoTime() < end) {
        if (firstProbe < 0) {
          Optional<TcpInfo> i = TcpInfo.of(fd);
          if (i.isPresent() && i.get().sndWnd() == 0 && i.get().backoff() > 0) {
            firstProbe = System.nanoTime();
          }
        }
        wr.awaitEnd(5);
      }
      boolean ended = !wr.thread.isAlive();
      String info = TcpInfo.of(fd).map(TcpInfo::text).orElse("");
      double at = ended && wr.error != null ? (wr.errorAt - wr.started) / 1e9 : Double.NaN;
      double blockedAt = (wr.lastReturn - wr.started) / 1e9;
      return new String[] {
        m,
        ended
            ? String.format(
                "the write() blocked since %.2f s throws %s%s; then %s",
                blockedAt,
                wr.error,
                firstProbe > 0 && wr.errorAt > 0
                    ? String.format(
                        ", %.2f s after the first zero-window probe (at %.2f s)",
                        (wr.errorAt - firstProbe) / 1e9, (firstProbe - wr.started) / 1e9)
                    : "",
                info)
            : String.format("still blocked after %.1f s", (System.nanoTime() - wr.started) / 1e9),
        Double.isNaN(at) ? "" : String.format("%.3f", at),
        String.format(
            "ETIMEDOUT about %.1f s after the first zero-window probe (the persist timer is"
                + " shortened to fire then)",
            millis / 1000.0),
        ended && wr.error != null && wr.error.contains("timed out")
            ? "yes: the kernel gives up"
            : "no"
      };
    } catch (IOException e) {
      return failed(m, e);
    }
  }

  /** Reads heartbeat lines on the writer's socket; {@code null} when none came within millis. */
  private static String line(BufferedReader in, Socket w, int millis) throws IOException {
    w.setSoTimeout(millis);
    try {
      return in.readLine();
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  private static String[] heartbeatPaused(int bufferBytes, int hb, int waitMillis) {
    String m = "heartbeat from the receiver every " + hb + " ms; receiver paused (SIGSTOP)";
    try (Receiver r = new Receiver(true, bufferBytes, hb);
        Socket w = connect(r, bufferBytes)) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.US_ASCII));
      Writer wr = new Writer(w, 0);
      wr.flood = true;
      line(in, w, 3 * hb); // the first heartbeat
      Thread.sleep(100);
      long stop = System.nanoTime();
      r.jvm.signal("STOP", 2_000);
      long end = stop + (waitMillis + 3L * hb) * 1_000_000L;
      long last = System.nanoTime();
      String got = null;
      while (System.nanoTime() < end) {
        String l = line(in, w, 3 * hb);
        if (l == null) {
          got =
              String.format(
                  "no heartbeat for 3 × %d ms: the writer gives up %.2f s after the SIGSTOP (last one %.2f s after it); its write() is %s",
                  hb,
                  (System.nanoTime() - stop) / 1e9,
                  (last - stop) / 1e9,
                  wr.blocked() ? "blocked, without error" : "not blocked");
          break;
        }
        last = System.nanoTime();
      }
      double at = (System.nanoTime() - stop) / 1e9;
      wr.stop = true;
      w.close();
      return new String[] {
        m,
        got == null ? "heartbeats kept coming" : got,
        got == null ? "" : String.format("%.3f", at),
        String.format("about 3 × %d ms after the stop (+ up to one period)", hb),
        got != null ? "yes: the application decides" : "no"
      };
    } catch (IOException e) {
      return failed(m, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(m, e);
    }
  }

  private static List<String[]> heartbeatNeverReads(int bufferBytes, int hb, int waitMillis) {
    String alive = "heartbeat \"alive\" every " + hb + " ms; the program never reads";
    String progress = "the same heartbeat carries the bytes read; the writer checks progress";
    try (Receiver r = new Receiver(false, bufferBytes, hb);
        Socket w = connect(r, bufferBytes)) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(w.getInputStream(), StandardCharsets.US_ASCII));
      Writer wr = new Writer(w, 0);
      wr.flood = true;
      long start = System.nanoTime();
      long end = start + waitMillis * 1_000_000L;
      int beats = 0;
      String lastRead = null;
      long progressAt = System.nanoTime();
      double stuck = Double.NaN;
      boolean silent = false;
      while (System.nanoTime() < end) {
        String l = line(in, w, 3 * hb);
        if (l == null) {
          silent = true;
          break;
        }
        beats++;
        String read = l.substring(l.indexOf(' ') + 1);
        if (!read.equals(lastRead)) {
          lastRead = read;
          progressAt = System.nanoTime();
        } else if (Double.isNaN(stuck)
            && wr.blocked()
            && System.nanoTime() - progressAt > 3L * hb * 1_000_000L) {
          stuck = (System.nanoTime() - start) / 1e9;
        }
      }
      double total = (System.nanoTime() - start) / 1e9;
      boolean blocked = wr.blocked();
      wr.stop = true;
      w.close();
      return List.of(
          new String[] {
            alive,
            silent
                ? "a heartbeat was missing"
                : String.format(
                    "%d heartbeats in %.1f s, the last \"alive %s\": the peer looks alive; write() %s",
                    beats, total, lastRead, blocked ? "still blocked" : "not blocked"),
            "",
            "never: the program is alive, only its reading stalled",
            silent ? "yes?" : "no"
          },
          new String[] {
            progress,
            Double.isNaN(stuck)
                ? "the count kept moving"
                : String.format(
                    "bytes read stuck at %s for 3 × %d ms while write() is blocked: the writer gives up",
                    lastRead, hb),
            Double.isNaN(stuck) ? "" : String.format("%.3f", stuck),
            String.format("about 3 × %d ms after the last progress", hb),
            Double.isNaN(stuck) ? "no" : "yes: the application decides"
          });
    } catch (IOException e) {
      return List.of(failed(alive, e), failed(progress, e));
    }
  }

  // ---------------------------------------------------------------- the private host

  /**
   * Called by the private host: {@code payload} is {@code stall\t<paused 0|1>\t<bufferBytes>\t
   * <watchMillis>[\t<language>]}; returns {@link #encode} of the stall.
   */
  public static String playInChild(String payload, Consumer<String> emit) {
    String[] f = payload.split("\t");
    if (!f[0].equals("stall") || f.length < 4 || f.length > 5) {
      throw new IllegalArgumentException("not a zero-window payload: " + payload);
    }
    if (f.length == 5) {
      Text.use(f[4]); // the parent's language, for the ladder drawn here
    }
    return encode(stall(f[1].equals("1"), Integer.parseInt(f[2]), Integer.parseInt(f[3]), emit));
  }

  /** The payload {@link #playInChild} reads. */
  public static String payload(boolean paused, int bufferBytes, int watchMillis) {
    return "stall\t"
        + (paused ? 1 : 0)
        + "\t"
        + bufferBytes
        + "\t"
        + watchMillis
        + "\t"
        + Text.language();
  }

  private static final String WRITES = "==writes";

  /** A stall as text: the wire (StoryCodec), then the writes table, then one line per fact. */
  public static String encode(Stall s) {
    StringBuilder b = new StringBuilder(StoryCodec.result(s.wire()));
    b.append('\n').append(WRITES);
    for (String l : StoryCodec.toLines(s.writes())) {
      b.append('\n').append(l);
    }
    s.facts()
        .forEach(
            (k, v) ->
                b.append("\n==fact\t")
                    .append(ChildJvm.esc(k))
                    .append('\t')
                    .append(ChildJvm.esc(v)));
    return b.toString();
  }

  /** The stall {@link #encode} wrote. */
  public static Stall decode(String text) {
    int at = text.indexOf("\n" + WRITES + "\n");
    String wire = at < 0 ? text : text.substring(0, at);
    List<String> writes = new ArrayList<>();
    Map<String, String> facts = new LinkedHashMap<>();
    if (at >= 0) {
      for (String l : text.substring(at + WRITES.length() + 2).split("\n", -1)) {
        if (l.startsWith("==fact\t")) {
          String[] f = l.split("\t", -1);
          facts.put(ChildJvm.unesc(f[1]), ChildJvm.unesc(f[2]));
        } else {
          writes.add(l);
        }
      }
    }
    return new Stall(StoryCodec.wire(wire), StoryCodec.fromLines("writes", writes), facts);
  }
}
