package tcplab.story;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import jdk.net.ExtendedSocketOptions;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.TcpInfo;
import tech.tablesaw.api.Table;

/**
 * No FIN (05): one row per mechanism, the measured time from the cut to the moment the application
 * learns something, beside the model's prediction. Each mechanism runs on its own network, all in
 * parallel (wall time = the slowest one). Keepalive is 1/1/2; the heartbeat pings every 200 ms and
 * expects a pong within 500 ms. On the relay, the kernel mechanisms say "never (the relay's kernel
 * ACKs)" after a bounded deadline.
 */
public record TimeToDetect(int[] retries2, int userTimeoutMillis, int soTimeoutMillis)
    implements Story {
  private static final int IDLE = 1, INTERVAL = 1, COUNT = 2;

  public TimeToDetect {
    if (retries2 == null || retries2.length > 5) {
      throw new IllegalArgumentException(
          "retries2 must list at most 5 values; got "
              + (retries2 == null ? "null" : retries2.length + "")
              + ".");
    }
    for (int r : retries2) {
      Check.range("retries2", r, 1, 5, "retransmissions");
    }
    Check.range("userTimeoutMillis", userTimeoutMillis, 200, 10_000, "ms");
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
    retries2 = Arrays.copyOf(retries2, retries2.length);
  }

  /** retries2 1, 2, 3, TCP_USER_TIMEOUT 1000 ms, SO_TIMEOUT 1000 ms. */
  public TimeToDetect() {
    this(new int[] {1, 2, 3}, 1000, 1000);
  }

  @Override
  public int[] retries2() {
    return Arrays.copyOf(retries2, retries2.length);
  }

  @Override
  public boolean captures() {
    return false;
  }

  @Override
  public Table play(Stage stage) {
    List<Callable<Detection>> jobs = new ArrayList<>();
    for (int n : retries2) {
      jobs.add(() -> writeThenRead(stage, n, 0));
    }
    jobs.add(() -> writeThenRead(stage, 0, userTimeoutMillis));
    jobs.add(() -> keepalive(stage));
    jobs.add(() -> soTimeout(stage));
    jobs.add(
        () -> {
          try (Network net = stage.open()) {
            Network.Link c = net.connect();
            return Detection.heartbeat(c.client(), c.server(), net::cut, () -> after(net, c));
          }
        });
    Table t = Detection.table(jobs);
    if (stage.opensRealKernels()) {
      return t;
    }
    double rto = Model.RTO_MIN;
    t.stringColumn("mechanism").append("(what differs from a real cut)");
    t.stringColumn("setting").append("");
    t.doubleColumn("measured (s)").appendMissing();
    t.doubleColumn("model (s)").appendMissing();
    t.stringColumn("model").append("");
    t.stringColumn("the application saw")
        .append(
            String.format(
                "with a real cut you would see Connection timed "
                    + "out after %.1f-%.1f s (tcp_retries2), %.2f s (TCP_USER_TIMEOUT) and %.1f s (keepalive); here the "
                    + "relay's kernel ACKs, so only SO_TIMEOUT and the heartbeat fire",
                Model.retries2(Arrays.stream(retries2).min().orElse(1), rto),
                Model.retries2(Arrays.stream(retries2).max().orElse(1), rto),
                Model.userTimeout(userTimeoutMillis, rto),
                (double) IDLE + COUNT * INTERVAL));
    t.stringColumn("afterwards").append("");
    return t;
  }

  private static String after(Network net, Network.Link c) {
    Timeline.States s = net.states(c);
    String client = s.client();
    return "client "
        + (net.realKernels() ? client.split(" ")[0] : client)
        + ", server "
        + s.server();
  }

  private static String never(int deadlineMillis, String why, String saw) {
    return "never (" + why + "): " + saw + " at the " + deadlineMillis / 1000.0 + " s deadline";
  }

  /**
   * tcp_retries2={@code n} (n > 0) or TCP_USER_TIMEOUT={@code userTimeout}: cut, write 16 bytes,
   * read.
   */
  private static Detection writeThenRead(Stage stage, int n, int userTimeout) {
    try (Network net = stage.open()) {
      boolean real = n > 0 ? net.setRetries2(n) : net.realKernels();
      Network.Link c = net.connect();
      int fd = Plays.fd(c.client());
      double rto = real ? Plays.rto(fd) : Model.RTO_MIN;
      String mech =
          n > 0 ? "tcp_retries2 (client kernel)" : "TCP_USER_TIMEOUT (socket option, via JNA)";
      String setting =
          n > 0
              ? "net.ipv4.tcp_retries2="
                  + n
                  + (real
                      ? ", 16 bytes unacked"
                      : " (not set: the " + "relay layer changes no sysctl), 16 bytes written")
              : userTimeout + " ms, 16 bytes " + (real ? "unacked" : "written");
      double model = n > 0 ? Model.retries2(n, rto) : Model.userTimeout(userTimeout, rto);
      String modelText =
          !real
              ? (n > 0
                  ? "a real cut: first RTO expiry after the budget"
                  : "a real cut: first RTO retransmission + the timeout")
              : n > 0
                  ? String.format("first RTO expiry after %.2f s + 0.2*(2^%d-1) s", 2 * rto, n + 1)
                  : String.format(
                      "first RTO retransmission (%.2f s) + %d ms", 2 * rto, userTimeout);
      if (userTimeout > 0) {
        if (fd < 0) { // relay without JNA
          return new Detection(
              mech,
              setting,
              Double.NaN,
              model,
              modelText,
              "not settable here: " + CView.unavailableReason().orElse("no fd"),
              after(net, c));
        }
        CResult r = TcpInfo.setUserTimeout(fd, userTimeout);
        if (r.failed()) {
          throw new IllegalStateException("setsockopt(TCP_USER_TIMEOUT) failed: " + r.text());
        }
      }
      // the relay's kernel ACKs the 16 bytes: the kernel never gives up, the read needs a bounded
      // deadline
      int deadline =
          real
              ? (int) (model * 1000) + 5000
              : (int) Math.min(model * 1000 + 1000, RetransmitUntilTimeout.NEVER_CAP_MILLIS);
      net.cut();
      long t0 = System.nanoTime();
      Timeline.write(c.client(), Plays.DATA);
      String saw = Timeline.read(c.client(), deadline);
      double t = (System.nanoTime() - t0) / 1e9;
      return real
          ? new Detection(mech, setting, t, model, modelText, saw, after(net, c))
          : new Detection(
              mech,
              setting,
              Double.NaN,
              model,
              modelText,
              never(deadline, "the relay's kernel ACKs", saw),
              after(net, c) + "; " + Plays.tcpInfo(net, fd));
    }
  }

  private static Detection keepalive(Stage stage) {
    String mech = "keepalive (SO_KEEPALIVE + jdk.net options)";
    String setting =
        "idle " + IDLE + " s, interval " + INTERVAL + " s, count " + COUNT + "; idle reader";
    try (Network net = stage.open()) {
      Network.Link c;
      try {
        c =
            net.connect(
                s -> {
                  s.setKeepAlive(true);
                  s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, IDLE);
                  s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, INTERVAL);
                  s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, COUNT);
                });
      } catch (UnsupportedOperationException e) {
        return new Detection(
            mech,
            setting,
            Double.NaN,
            IDLE + COUNT * INTERVAL,
            "",
            "not settable here: " + e.getMessage(),
            "");
      }
      long connected = System.nanoTime();
      net.cut();
      long t0 = System.nanoTime();
      if (!net.realKernels()) { // the relay's kernel answers every probe: bounded "never"
        double model = IDLE + COUNT * INTERVAL;
        int deadline = (int) Math.min(model * 1000 + 1000, RetransmitUntilTimeout.NEVER_CAP_MILLIS);
        String got = Timeline.read(c.client(), deadline);
        return new Detection(
            mech,
            setting,
            Double.NaN,
            model,
            "a real cut: idle + count*interval after the last " + "traffic",
            never(deadline, "the relay's kernel answers the probes", got),
            after(net, c));
      }
      double model = IDLE + COUNT * INTERVAL - (t0 - connected) / 1e9;
      String r = Timeline.read(c.client(), (int) (model * 1000) + 5000);
      double t = (System.nanoTime() - t0) / 1e9;
      return new Detection(
          mech,
          setting,
          t,
          model,
          "idle + count*interval after the last traffic",
          r,
          after(net, c));
    }
  }

  private Detection soTimeout(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      net.cut();
      long t0 = System.nanoTime();
      String r = Timeline.read(c.client(), soTimeoutMillis);
      double t = (System.nanoTime() - t0) / 1e9;
      return new Detection(
          "SO_TIMEOUT (setSoTimeout)",
          soTimeoutMillis + " ms; idle reader",
          t,
          soTimeoutMillis / 1000.0,
          "the timeout; it fires but closes nothing",
          r,
          after(net, c));
    }
  }
}
