package tcplab;

import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.TcpInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The ROOT-layer implementation of {@link NoFin} (also what the child JVM of the USERNS layer runs): each helper
 * builds its own {@link TwoHosts}, plays one story on real kernels and returns what happened as a table; t =
 * seconds after the cut. Table names carry no layer label: {@link Layers#named} adds it.
 */
final class NoFinRoot {
  private NoFinRoot() {}

  // ------------------------------------------------------------------ 1. half-open: a blocked read

  /**
   * Idle connection, cut, the client blocks in read() with SO_TIMEOUT: SocketTimeoutException after the timeout,
   * and both kernels still say ESTABLISHED (half-open). Nothing is sent, so nothing can fail.
   */
  static Table blockedRead(int soTimeoutMillis) {
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      Timeline tl = new Timeline(h, c);
      tl.add(tl.now(), "both", "connection up, idle", "");
      h.cut();
      tl.zero();
      tl.add(0, "network", "cut: the server host drops everything in and out", "no FIN, no RST: nobody is told");
      String r = Timeline.read(c.client(), soTimeoutMillis);
      tl.add(tl.now(), "client", "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms", r);
      tl.add(tl.now(), "both", "half-open: both kernels still believe in the connection", "");
      return tl.table("No FIN: a blocked read only ends by its own timeout");
    }
  }

  // ------------------------------------------------------------------ 2. retransmissions until ETIMEDOUT

  /**
   * Cut; the client writes 16 bytes, then reads. Its kernel retransmits with exponential backoff (TCP_INFO sampled
   * every 200 ms; a row whenever a counter changes) and gives up after tcp_retries2: the read fails with
   * "Connection timed out" (C: ETIMEDOUT); the next write gets EPIPE. The server host never hears of it.
   */
  static Table retransmitUntilTimeout(int retries2) {
    return retransmitUntilTimeout(retries2, null);
  }

  /** With {@code tap} (may be null): packets captured inside the client host from before the handshake on. */
  static Table retransmitUntilTimeout(int retries2, WireTap tap) {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
    try (TwoHosts h = TwoHosts.create()) {
      h.setRetries2(TwoHosts.Host.CLIENT, retries2);
      if (tap != null) {
        tap.begin(h);
      }
      try (TwoHosts.Connection c = h.connect()) {
        Timeline tl = new Timeline(h, c);
        if (tap != null) {
          tap.attach(tl, c.clientPort());
        }
        int fd = CView.fdOf(c.client());
        double rto = NoFin.rtoSeconds(fd);
        double model = NoFin.modelRetries2(retries2, rto);
        tl.add(tl.now(), "client host", "net.ipv4.tcp_retries2=" + retries2 + " (only in its namespace)",
            String.format("model: ETIMEDOUT at %.2f s (RTO %.0f ms)", model, rto * 1000));
        h.cut();
        tl.zero();
        tl.add(0, "network", "cut: the server host drops everything", "");
        tl.add(tl.now(), "client", "write(16 bytes)", Timeline.write(c.client(), "0123456789abcdef"), false);
        CompletableFuture<Object[]> reader = tl.readAsync(c.client(), (int) (model * 1000) + 5000);
        tl.add(tl.now(), "client", "read() (blocks)", "", false);
        sampleRetransmits(tl, fd, reader, (long) (model * 1000) + 6000);
        Object[] r = Timeline.await(reader, 1000);
        tl.add((double) r[1], "client", "the blocked read() returns", (String) r[0]);
        CResult send = CView.send(fd, new byte[] {'x'}, CView.MSG_NOSIGNAL);
        tl.add(tl.now(), "client", "C send(fd, 1 byte, MSG_NOSIGNAL)", send.text());
        tl.call("client", "write() again (Java)", () -> Timeline.write(c.client(), "x"));
        return tl.table("No FIN: retransmissions until tcp_retries2=" + retries2 + " gives up");
      } finally {
        if (tap != null) {
          tap.stop(); // before the namespaces (and the veth tcpdump listens on) go away
        }
      }
    }
  }

  static void sampleRetransmits(Timeline tl, int fd, CompletableFuture<?> until, long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    String last = "";
    while (!until.isDone() && System.nanoTime() < end) {
      double at = tl.now();
      String now = TcpInfo.of(fd).map(i -> String.format("retransmits=%d total=%d backoff=%d rto=%dms unacked=%d",
          i.retransmits(), i.totalRetrans(), i.backoff(), i.rtoMicros() / 1000, i.unacked())).orElse("no TCP_INFO");
      if (!now.equals(last) && !until.isDone()) {
        tl.add(at, "client kernel", "TCP_INFO", now);
        last = now;
      }
      try {
        until.get(200, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // next sample
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        return;
      }
    }
  }

  // ------------------------------------------------------------------ 3. time to detect a dead peer

  /** {@link #timeToDetect(int[], int, int)} with retries2 1, 2, 3, TCP_USER_TIMEOUT 1000 ms, SO_TIMEOUT 1000 ms. */
  static Table timeToDetect() {
    return timeToDetect(new int[] {1, 2, 3}, 1000, 1000);
  }

  /**
   * One row per mechanism: the measured time from the cut to the moment the application learns something,
   * beside the model's prediction. Every mechanism runs on its own pair of hosts, all in parallel (wall time = the
   * slowest one). Keepalive is 1/1/2 (idle 1 s, interval 1 s, 2 probes); the heartbeat pings every 200 ms and
   * expects a pong within 500 ms.
   */
  static Table timeToDetect(int[] retries2, int userTimeoutMillis, int soTimeoutMillis) {
    if (retries2.length > 5) {
      throw new IllegalArgumentException("retries2 may list at most 5 values; got " + retries2.length + ".");
    }
    for (int r : retries2) {
      Check.range("retries2", r, 1, 5, "retransmissions");
    }
    Check.range("userTimeoutMillis", userTimeoutMillis, 200, 10_000, "ms");
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
    List<java.util.concurrent.Callable<Detected>> jobs = new ArrayList<>();
    for (int r : retries2) {
      jobs.add(() -> retries2Detect(r));
    }
    jobs.add(() -> userTimeoutDetect(userTimeoutMillis));
    jobs.add(NoFinRoot::keepaliveDetect);
    jobs.add(() -> soTimeoutDetect(soTimeoutMillis));
    jobs.add(NoFinRoot::heartbeatDetect);
    return runDetect(jobs);
  }

  /** Runs the jobs in parallel (30 s deadline each) and makes one row per job, in order. */
  static Table runDetect(List<java.util.concurrent.Callable<Detected>> jobs) {
    ExecutorService pool = Executors.newFixedThreadPool(jobs.size(), r -> {
      Thread t = new Thread(r, "tcplab-detect");
      t.setDaemon(true);
      return t;
    });
    StringColumn mech = StringColumn.create("mechanism"), setting = StringColumn.create("setting"),
        saw = StringColumn.create("the application saw"), after = StringColumn.create("afterwards"),
        modelText = StringColumn.create("model");
    DoubleColumn measured = DoubleColumn.create("measured (s)"), model = DoubleColumn.create("model (s)");
    try {
      List<Future<Detected>> fs = new ArrayList<>();
      for (var j : jobs) {
        fs.add(pool.submit(j));
      }
      for (Future<Detected> f : fs) {
        Detected d;
        try {
          d = f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IllegalStateException("a time-to-detect run failed: " + e, e);
        }
        mech.append(d.mechanism);
        setting.append(d.setting);
        measured.append(round3(d.measured));
        model.append(round3(d.model));
        modelText.append(d.modelText);
        saw.append(d.saw);
        after.append(d.after);
      }
    } finally {
      pool.shutdownNow();
    }
    return Table.create("No FIN: how long until the client notices the cut", mech, setting, measured, model,
        modelText, saw, after);
  }

  /** Rounds to milliseconds; NaN (never) stays NaN. */
  static double round3(double x) {
    return Double.isNaN(x) ? Double.NaN : Math.round(x * 1000) / 1000.0;
  }

  record Detected(String mechanism, String setting, double measured, double model, String modelText, String saw,
                  String after) {}

  private static String after(TwoHosts h, TwoHosts.Connection c) {
    return "client " + h.state(TwoHosts.Host.CLIENT, c) + ", server " + h.state(TwoHosts.Host.SERVER, c);
  }

  /** Cut, write 16 bytes, read: the kernel's own retransmission timeout decides. */
  private static Detected writeThenRead(TwoHosts h, TwoHosts.Connection c, String mech, String setting, double model,
                                        String modelText) {
    h.cut();
    long t0 = System.nanoTime();
    Timeline.write(c.client(), "0123456789abcdef");
    String r = Timeline.read(c.client(), (int) (model * 1000) + 5000);
    double t = (System.nanoTime() - t0) / 1e9;
    return new Detected(mech, setting, t, model, modelText, r, after(h, c));
  }

  static Detected retries2Detect(int n) {
    try (TwoHosts h = TwoHosts.create()) {
      h.setRetries2(TwoHosts.Host.CLIENT, n);
      try (TwoHosts.Connection c = h.connect()) {
        double rto = NoFin.rtoSeconds(CView.fdOf(c.client()));
        return writeThenRead(h, c, "tcp_retries2 (client kernel)", "net.ipv4.tcp_retries2=" + n + ", 16 bytes unacked",
            NoFin.modelRetries2(n, rto), String.format("first RTO expiry after %.2f s + 0.2*(2^%d-1) s", 2 * rto, n + 1));
      }
    }
  }

  static Detected userTimeoutDetect(int millis) {
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      int fd = CView.fdOf(c.client());
      CResult r = TcpInfo.setUserTimeout(fd, millis);
      if (r.failed()) {
        throw new IllegalStateException("setsockopt(TCP_USER_TIMEOUT) failed: " + r.text());
      }
      double rto = NoFin.rtoSeconds(fd);
      return writeThenRead(h, c, "TCP_USER_TIMEOUT (socket option, via JNA)", millis + " ms, 16 bytes unacked",
          NoFin.modelUserTimeout(millis, rto), String.format("first RTO retransmission (%.2f s) + %d ms", 2 * rto, millis));
    }
  }

  static Detected keepaliveDetect() {
    int idle = 1, intvl = 1, cnt = 2;
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect(TwoHosts.PORT, s -> {
      s.setKeepAlive(true);
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, intvl);
      s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, cnt);
    })) {
      long connected = System.nanoTime();
      h.cut();
      long t0 = System.nanoTime();
      double model = idle + cnt * intvl - (t0 - connected) / 1e9;
      String r = Timeline.read(c.client(), (int) (model * 1000) + 5000);
      double t = (System.nanoTime() - t0) / 1e9;
      return new Detected("keepalive (SO_KEEPALIVE + jdk.net options)",
          "idle " + idle + " s, interval " + intvl + " s, count " + cnt + "; idle reader", t, model,
          "idle + count*interval after the last traffic", r, after(h, c));
    }
  }

  static Detected soTimeoutDetect(int millis) {
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      h.cut();
      long t0 = System.nanoTime();
      String r = Timeline.read(c.client(), millis);
      double t = (System.nanoTime() - t0) / 1e9;
      return new Detected("SO_TIMEOUT (setSoTimeout)", millis + " ms; idle reader", t, millis / 1000.0,
          "the timeout; it fires but closes nothing", r, after(h, c));
    }
  }

  /** Application heartbeat: "ping\n" every 200 ms, dead when a ping has no "pong\n" within 500 ms. */
  static Detected heartbeatDetect() {
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      return heartbeat(c.client(), c.server(), h::cut, () -> after(h, c));
    }
  }

  /** The heartbeat story on any connection: {@code cut} makes the fault, {@code after} tells the states. */
  static Detected heartbeat(Socket client, Socket server, Runnable cut, java.util.function.Supplier<String> after) {
    int every = 200, within = 500;
    Thread pong = new Thread(() -> {
      try {
        InputStream in = server.getInputStream();
        OutputStream out = server.getOutputStream();
        server.setSoTimeout(10_000);
        int b;
        while ((b = in.read()) >= 0) {
          if (b == '\n') {
            out.write("pong\n".getBytes(StandardCharsets.US_ASCII));
          }
        }
      } catch (IOException ignored) {
        // the crash or the end of the run closes it
      }
    }, "tcplab-pong");
    pong.setDaemon(true);
    pong.start();
    Socket s = client;
    InputStream in;
    OutputStream out;
    try {
      in = s.getInputStream();
      out = s.getOutputStream();
      s.setSoTimeout(20);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ArrayDeque<Long> outstanding = new ArrayDeque<>();
    long start = System.nanoTime(), t0 = 0, nextPing = start;
    boolean isCut = false;
    String saw = "no verdict within 5 s";
    double t = Double.NaN;
    while (System.nanoTime() - start < 8_000_000_000L) {
      long now = System.nanoTime();
      if (!isCut && now - start > 600_000_000L) { // a few healthy round trips first
        cut.run();
        t0 = System.nanoTime();
        isCut = true;
      }
      if (now >= nextPing) {
        try {
          out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          saw = Timeline.text(e);
          break;
        }
        outstanding.add(now);
        nextPing += every * 1_000_000L;
      }
      try {
        int b = in.read();
        if (b == '\n' && !outstanding.isEmpty()) {
          outstanding.poll();
        }
      } catch (SocketTimeoutException e) {
        // nothing yet
      } catch (IOException e) {
        saw = Timeline.text(e);
        break;
      }
      if (!outstanding.isEmpty() && System.nanoTime() - outstanding.peek() > within * 1_000_000L) {
        t = (System.nanoTime() - t0) / 1e9;
        saw = "no pong within " + within + " ms: the application declares the peer dead";
        break;
      }
    }
    return new Detected("application heartbeat", "ping every " + every + " ms, pong expected within " + within
        + " ms", isCut ? t : Double.NaN, (every / 2.0 + within) / 1000.0,
        "the first ping after the cut + timeout: 0.5-0.7 s", saw,
        after.get());
  }

  // ------------------------------------------------------------------ 4. a short outage loses nothing

  /**
   * Cut, the client writes "abc", the network heals after {@code outageMillis}: the next retransmission delivers
   * "abc" intact. TCP is reliable as long as it does not give up.
   */
  static Table shortOutageLosesNothing(int outageMillis) {
    Check.range("outageMillis", outageMillis, 100, 5_000, "ms");
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      Timeline tl = new Timeline(h, c);
      int fd = CView.fdOf(c.client());
      double rto = NoFin.rtoSeconds(fd);
      h.cut();
      tl.zero();
      tl.add(0, "network", "cut: the server host drops everything", "");
      tl.call("client", "write(\"abc\")", () -> Timeline.write(c.client(), "abc"));
      CompletableFuture<Object[]> reader = tl.readAsync(c.server(), outageMillis + 8000);
      NoFin.sleepUntil(tl, outageMillis / 1000.0);
      String info = TcpInfo.of(fd).map(TcpInfo::text).orElse("");
      h.heal();
      double healed = tl.now();
      tl.add(healed, "network", "heal after " + outageMillis + " ms (client TCP_INFO: " + info + ")",
          String.format("model: the next retransmission, at %.2f s, gets through", NoFin.nextRetransmission(healed, rto)),
          false);
      Object[] r = Timeline.await(reader, outageMillis + 9000L);
      tl.add((double) r[1], "server", "read()", (String) r[0]);
      tl.add(tl.now(), "client kernel", "TCP_INFO", TcpInfo.of(fd).map(TcpInfo::text).orElse(""));
      return tl.table("No FIN: a short outage loses nothing");
    }
  }
}
