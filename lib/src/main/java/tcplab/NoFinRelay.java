package tcplab;

import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.TcpInfo;

import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import jdk.net.ExtendedSocketOptions;
import tech.tablesaw.api.Table;

/**
 * The RELAY layer's version of {@link NoFin}: the same stories through a {@link Relay} on 127.0.0.1, told
 * honestly. The relay's kernel ACKs everything, so no retransmission happens and the kernel's detectors
 * (tcp_retries2, TCP_USER_TIMEOUT on ACKed data, keepalive) never fire; they are shown "never", bounded by a
 * deadline. Each table ends with one row that says what differs from a real cut.
 */
final class NoFinRelay {
  /** Loopback RTO as the model assumes it (the real cut's RTO on a veth is the same 200 ms minimum). */
  private static final double RTO = NoFin.RTO_MIN;
  /** The longest a "never" is waited for. */
  static final int NEVER_CAP_MILLIS = 5_000;

  private NoFinRelay() {}

  /** The fd of a socket for TCP_INFO, or -1 when CView (JNA, Linux) is unavailable here. */
  static int fd(Socket s) {
    if (CView.unavailableReason().isPresent()) {
      return -1;
    }
    try {
      return CView.fdOf(s);
    } catch (RuntimeException e) {
      return -1;
    }
  }

  static String tcpInfo(int fd) {
    return fd < 0 ? "no TCP_INFO here" : TcpInfo.of(fd).map(i -> String.format(
        "retransmits=%d total=%d unacked=%d notsent=%d", i.retransmits(), i.totalRetrans(), i.unacked(),
        i.notsentBytes())).orElse("no TCP_INFO");
  }

  static void differs(Timeline tl, String text) {
    tl.add(tl.now(), "relay stand-in", "what differs from a real cut", text, false);
  }

  private static void blackhole(Relay r, Timeline tl) {
    r.blackhole();
    tl.zero();
    tl.add(0, "network", "blackhole: the relay stops forwarding, both TCP connections stay open",
        "no FIN, no RST: nobody is told");
  }

  static Table blockedRead(int soTimeoutMillis) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      tl.add(tl.now(), "both", "connection up (client -> relay -> server), idle", "");
      blackhole(r, tl);
      String res = Timeline.read(c.client(), soTimeoutMillis);
      tl.add(tl.now(), "client", "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms", res);
      tl.add(tl.now(), "both", "half-open: both kernels still believe in the connection", "");
      differs(tl, "nothing an idle reader can see: with a real cut SO_TIMEOUT fires the same way and both ends stay "
          + "ESTABLISHED; the difference shows once the client sends (the relay's kernel ACKs it)");
      return tl.table("No FIN: a blocked read only ends by its own timeout");
    }
  }

  static Table retransmitUntilTimeout(int retries2) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      int fd = fd(c.client());
      double model = NoFin.modelRetries2(retries2, fd < 0 ? RTO : NoFin.rtoSeconds(fd));
      int deadline = (int) Math.min(model * 1000 + 1000, NEVER_CAP_MILLIS);
      tl.add(tl.now(), "client host", "net.ipv4.tcp_retries2=" + retries2 + " NOT set (no namespace of our own; "
          + "the relay layer never changes a sysctl)", String.format("a real cut: ETIMEDOUT at about %.2f s", model),
          false);
      blackhole(r, tl);
      tl.add(tl.now(), "client", "write(16 bytes)", Timeline.write(c.client(), "0123456789abcdef"));
      CompletableFuture<Object[]> reader = tl.readAsync(c.client(), deadline);
      tl.add(tl.now(), "client", "read() (blocks; SO_TIMEOUT=" + deadline + " ms is the deadline)", "", false);
      if (fd >= 0) {
        NoFinRoot.sampleRetransmits(tl, fd, reader, deadline + 1000L);
      }
      Object[] got = Timeline.await(reader, deadline + 2000L);
      tl.add((double) got[1], "client", "the blocked read() returns at the deadline", got[0]
          + " (not ETIMEDOUT: the kernel never gave up)");
      tl.add(tl.now(), "client kernel", "TCP_INFO", tcpInfo(fd));
      differs(tl, String.format("with a real cut you would see retransmits rising and Connection timed out after "
          + "about %.1f s (tcp_retries2=%d); here the relay's kernel ACKed the 16 bytes at once (unacked=0), so "
          + "nothing is retransmitted and only SO_TIMEOUT (or a heartbeat) fires", model, retries2));
      return tl.table(String.format("No FIN: no retransmissions, no timeout (tcp_retries2=%d would give up at "
          + "%.1f s)", retries2, model));
    }
  }

  // ------------------------------------------------------------------ time to detect

  static Table timeToDetect(int[] retries2, int userTimeoutMillis, int soTimeoutMillis) {
    List<Callable<NoFinRoot.Detected>> jobs = new ArrayList<>();
    for (int n : retries2) {
      double model = NoFin.modelRetries2(n, RTO);
      jobs.add(() -> writerNever("tcp_retries2 (client kernel)", "net.ipv4.tcp_retries2=" + n + " (not set: "
          + "the relay layer changes no sysctl), 16 bytes written", model, "a real cut: first RTO expiry after "
          + "the budget", -1));
    }
    double ut = NoFin.modelUserTimeout(userTimeoutMillis, RTO);
    jobs.add(() -> writerNever("TCP_USER_TIMEOUT (socket option, via JNA)", userTimeoutMillis + " ms, 16 bytes "
        + "written", ut, "a real cut: first RTO retransmission + the timeout", userTimeoutMillis));
    jobs.add(NoFinRelay::keepaliveNever);
    jobs.add(() -> soTimeout(soTimeoutMillis));
    jobs.add(NoFinRelay::heartbeat);
    Table t = NoFinRoot.runDetect(jobs);
    t.stringColumn("mechanism").append("(what differs from a real cut)");
    t.stringColumn("setting").append("");
    t.doubleColumn("measured (s)").appendMissing();
    t.doubleColumn("model (s)").appendMissing();
    t.stringColumn("model").append("");
    t.stringColumn("the application saw").append(String.format("with a real cut you would see Connection timed "
        + "out after %.1f-%.1f s (tcp_retries2), %.2f s (TCP_USER_TIMEOUT) and %.1f s (keepalive); here the "
        + "relay's kernel ACKs, so only SO_TIMEOUT and the heartbeat fire", NoFin.modelRetries2(min(retries2), RTO),
        NoFin.modelRetries2(max(retries2), RTO), ut, 3.0));
    t.stringColumn("afterwards").append("");
    return t.setName("No FIN: how long until the client notices the cut");
  }

  private static int min(int[] a) {
    int m = Integer.MAX_VALUE;
    for (int x : a) {
      m = Math.min(m, x);
    }
    return a.length == 0 ? 1 : m;
  }

  private static int max(int[] a) {
    int m = 1;
    for (int x : a) {
      m = Math.max(m, x);
    }
    return m;
  }

  static String after(Relay.Link c) {
    Timeline.States s = Relay.states(c);
    return "client " + s.client() + ", server " + s.server();
  }

  private static String never(int deadlineMillis, String why, String saw) {
    return "never (" + why + "): " + saw + " at the " + deadlineMillis / 1000.0 + " s deadline";
  }

  /** Blackhole, write 16 bytes, read with a bounded deadline: the relay's kernel ACKed them, nothing fires. */
  static NoFinRoot.Detected writerNever(String mech, String setting, double model, String modelText,
                                        int userTimeoutMillis) {
    int deadline = (int) Math.min(model * 1000 + 1000, NEVER_CAP_MILLIS);
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      int fd = fd(c.client());
      if (userTimeoutMillis > 0) {
        if (fd < 0) {
          return new NoFinRoot.Detected(mech, setting, Double.NaN, model, modelText,
              "not settable here: " + CView.unavailableReason().orElse("no fd"), after(c));
        }
        CResult set = TcpInfo.setUserTimeout(fd, userTimeoutMillis);
        if (set.failed()) {
          throw new IllegalStateException("setsockopt(TCP_USER_TIMEOUT) failed: " + set.text());
        }
      }
      r.blackhole();
      Timeline.write(c.client(), "0123456789abcdef");
      String got = Timeline.read(c.client(), deadline);
      return new NoFinRoot.Detected(mech, setting, Double.NaN, model, modelText,
          never(deadline, "the relay's kernel ACKs", got), after(c) + "; " + tcpInfo(fd));
    }
  }

  static NoFinRoot.Detected keepaliveNever() {
    int idle = 1, intvl = 1, cnt = 2;
    double model = idle + cnt * intvl;
    int deadline = (int) Math.min(model * 1000 + 1000, NEVER_CAP_MILLIS);
    String setting = "idle " + idle + " s, interval " + intvl + " s, count " + cnt + "; idle reader";
    String mech = "keepalive (SO_KEEPALIVE + jdk.net options)";
    Relay.Link c0 = null;
    try (Relay r = Relay.start()) {
      try {
        c0 = r.connect(s -> {
          s.setKeepAlive(true);
          s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
          s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, intvl);
          s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, cnt);
        });
      } catch (UnsupportedOperationException e) {
        return new NoFinRoot.Detected(mech, setting, Double.NaN, model, "", "not settable here: " + e.getMessage(),
            "");
      }
      try (Relay.Link c = c0) {
        r.blackhole();
        String got = Timeline.read(c.client(), deadline);
        return new NoFinRoot.Detected(mech, setting, Double.NaN, model, "a real cut: idle + count*interval after the "
            + "last traffic", never(deadline, "the relay's kernel answers the probes", got), after(c));
      }
    }
  }

  static NoFinRoot.Detected soTimeout(int millis) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      r.blackhole();
      long t0 = System.nanoTime();
      String got = Timeline.read(c.client(), millis);
      double t = (System.nanoTime() - t0) / 1e9;
      return new NoFinRoot.Detected("SO_TIMEOUT (setSoTimeout)", millis + " ms; idle reader", t, millis / 1000.0,
          "the timeout; it fires but closes nothing", got, after(c));
    }
  }

  static NoFinRoot.Detected heartbeat() {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      return NoFinRoot.heartbeat(c.client(), c.server(), r::blackhole, () -> after(c));
    }
  }

  // ------------------------------------------------------------------ a short outage

  static Table shortOutageLosesNothing(int outageMillis) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      int fd = fd(c.client());
      blackhole(r, tl);
      tl.call("client", "write(\"abc\")", () -> Timeline.write(c.client(), "abc"));
      CompletableFuture<Object[]> reader = tl.readAsync(c.server(), outageMillis + 8000);
      NoFin.sleepUntil(tl, outageMillis / 1000.0);
      String info = tcpInfo(fd);
      r.heal();
      double healed = tl.now();
      tl.add(healed, "network", "heal after " + outageMillis + " ms (client TCP_INFO: " + info + ")",
          "the relay delivers the bytes it held", false);
      Object[] got = Timeline.await(reader, outageMillis + 9000L);
      tl.add((double) got[1], "server", "read()", (String) got[0]);
      differs(tl, String.format("with a real cut \"abc\" stays unacked in the client's kernel and the first "
          + "retransmission after the heal (about %.2f s) delivers it; here the relay's kernel ACKed it at once "
          + "and the relay handed it over at the heal", NoFin.nextRetransmission(outageMillis / 1000.0, RTO)));
      return tl.table("No FIN: a short outage loses nothing");
    }
  }
}
