package tcplab;

import tcplab.observe.TcpInfo;

import java.util.Arrays;
import tech.tablesaw.api.Table;

/**
 * Lesson 17, the peer sends NO FIN: the network between the hosts is cut (the server host silently drops
 * everything). Each helper plays one story and returns what happened as a table; t = seconds after the cut.
 * <p>Every helper runs on the layer {@link Layers#layer()} chooses (or {@code TCPLAB_LAYER} forces) and the
 * table's name starts with it: "[real kernels, root] ..." (two network namespaces in this JVM),
 * "[real kernels, user namespace] ..." (the same code in a child JVM under {@code unshare -rnm}) or
 * "[relay stand-in: not a real cut] ..." (a pure-Java relay whose kernel ACKs: the relay tables end with a row
 * saying what a real cut would show instead).
 */
public final class NoFin {
  /** The kernel's minimum retransmission timeout (TCP_RTO_MIN), used by tcp_retries2's time budget. */
  public static final double RTO_MIN = 0.2;
  static final long USERNS_DEADLINE_MILLIS = 60_000;

  private NoFin() {}

  /**
   * Idle connection, cut, the client blocks in read() with SO_TIMEOUT: SocketTimeoutException after the timeout,
   * and both kernels still say ESTABLISHED (half-open). Nothing is sent, so nothing can fail.
   */
  public static Table blockedRead(int soTimeoutMillis) {
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
    Layers.Layer l = Layers.layer();
    return switch (l) {
      case ROOT -> Layers.named(l, NoFinRoot.blockedRead(soTimeoutMillis));
      case USERNS -> NoFinMain.run("blockedRead", USERNS_DEADLINE_MILLIS, "" + soTimeoutMillis);
      case RELAY -> Layers.named(l, NoFinRelay.blockedRead(soTimeoutMillis));
    };
  }

  /**
   * Cut; the client writes 16 bytes, then reads. On real kernels its kernel retransmits with exponential backoff
   * (TCP_INFO sampled every 200 ms) and gives up after tcp_retries2 (set in the client's namespace only): the read
   * fails with "Connection timed out", the next write with EPIPE. On the relay nothing is retransmitted (the
   * relay's kernel ACKs): the read ends at a bounded deadline and the table says so.
   */
  public static Table retransmitUntilTimeout(int retries2) {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
    Layers.Layer l = Layers.layer();
    return switch (l) {
      case ROOT -> Layers.named(l, NoFinRoot.retransmitUntilTimeout(retries2));
      case USERNS -> NoFinMain.run("retransmitUntilTimeout", USERNS_DEADLINE_MILLIS, "" + retries2);
      case RELAY -> Layers.named(l, NoFinRelay.retransmitUntilTimeout(retries2));
    };
  }

  /**
   * {@link #retransmitUntilTimeout(int)} with the packets: on the ROOT layer, tcpdump inside the client host
   * captures the handshake, the data and every retransmission; the ladder shows them beside the table's rows.
   * On any other layer, or without tcpdump, the same table with a note saying why there are no packets.
   */
  public static Wire retransmitUntilTimeoutWire(int retries2) {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
    Layers.Layer l = Layers.layer();
    if (l != Layers.Layer.ROOT) {
      return WireTap.without(retransmitUntilTimeout(retries2), "no packets: capture needs the root layer, and this "
          + "run used " + l.label().strip());
    }
    WireTap tap = new WireTap();
    try {
      return tap.wire(Layers.named(l, NoFinRoot.retransmitUntilTimeout(retries2, tap)));
    } finally {
      tap.stop();
    }
  }

  /** {@link #timeToDetect(int[], int, int)} with retries2 1, 2, 3, TCP_USER_TIMEOUT 1000 ms, SO_TIMEOUT 1000 ms. */
  public static Table timeToDetect() {
    return timeToDetect(new int[] {1, 2, 3}, 1000, 1000);
  }

  /**
   * One row per mechanism: the measured time from the cut to the moment the application learns something,
   * beside the model's prediction; all mechanisms run in parallel, each on its own connection (wall time = the
   * slowest one). Keepalive is 1/1/2; the heartbeat pings every 200 ms and expects a pong within 500 ms. On the
   * relay, the kernel mechanisms say "never (the relay's kernel ACKs)" after a bounded deadline.
   */
  public static Table timeToDetect(int[] retries2, int userTimeoutMillis, int soTimeoutMillis) {
    if (retries2 == null || retries2.length > 5) {
      throw new IllegalArgumentException("retries2 must list at most 5 values; got "
          + (retries2 == null ? "null" : retries2.length + "") + ".");
    }
    for (int r : retries2) {
      Check.range("retries2", r, 1, 5, "retransmissions");
    }
    Check.range("userTimeoutMillis", userTimeoutMillis, 200, 10_000, "ms");
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
    int[] r2 = Arrays.copyOf(retries2, retries2.length);
    Layers.Layer l = Layers.layer();
    return switch (l) {
      case ROOT -> Layers.named(l, NoFinRoot.timeToDetect(r2, userTimeoutMillis, soTimeoutMillis));
      case USERNS -> NoFinMain.run("timeToDetect", USERNS_DEADLINE_MILLIS, NoFinMain.csv(r2), "" + userTimeoutMillis,
          "" + soTimeoutMillis);
      case RELAY -> Layers.named(l, NoFinRelay.timeToDetect(r2, userTimeoutMillis, soTimeoutMillis));
    };
  }

  /**
   * Cut, the client writes "abc", the network heals after {@code outageMillis}: "abc" arrives intact (on real
   * kernels at the next retransmission). TCP is reliable as long as it does not give up.
   */
  public static Table shortOutageLosesNothing(int outageMillis) {
    Check.range("outageMillis", outageMillis, 100, 5_000, "ms");
    Layers.Layer l = Layers.layer();
    return switch (l) {
      case ROOT -> Layers.named(l, NoFinRoot.shortOutageLosesNothing(outageMillis));
      case USERNS -> NoFinMain.run("shortOutageLosesNothing", USERNS_DEADLINE_MILLIS, "" + outageMillis);
      case RELAY -> Layers.named(l, NoFinRelay.shortOutageLosesNothing(outageMillis));
    };
  }

  // ------------------------------------------------------------------ models

  /** tcpi_rto of fd in seconds, at least RTO_MIN. */
  static double rtoSeconds(int fd) {
    return Math.max(RTO_MIN, TcpInfo.of(fd).map(i -> i.rtoMicros() / 1e6).orElse(RTO_MIN));
  }

  /**
   * The model for tcp_retries2=N (measured in the research): a tail-loss probe at 1 RTO, RTO retransmissions at
   * 2, 4, 8 ... RTO (intervals capped at 120 s); the kernel checks its budget RTO_MIN*(2^(N+1)-1), counted from the
   * first RTO retransmission, only when the timer fires: ETIMEDOUT at the first expiry after the budget.
   */
  public static double modelRetries2(int n, double rto) {
    double budgetEnd = 2 * rto + RTO_MIN * ((1L << (n + 1)) - 1);
    double t = 2 * rto;
    while (t <= budgetEnd + 1e-9) {
      t = nextExpiry(t);
    }
    return t;
  }

  /** The retransmission timer's expiry after the one at {@code t} (expiries at 1, 2, 4, 8 ... RTO; step cap 120 s). */
  static double nextExpiry(double t) {
    return t + Math.min(t, 120);
  }

  /** TCP_USER_TIMEOUT: the RTO is clamped to the budget, counted from the first RTO retransmission (2 RTO). */
  public static double modelUserTimeout(int millis, double rto) {
    return 2 * rto + millis / 1000.0;
  }

  /** The first retransmission (TLP at 1 RTO, then 2, 4, 8 ... RTO) later than {@code seconds} after the write. */
  public static double nextRetransmission(double seconds, double rto) {
    double t = rto;
    while (t <= seconds) {
      t = nextExpiry(t);
    }
    return t;
  }

  static void sleepUntil(Timeline tl, double seconds) {
    long ms = (long) ((seconds - tl.now()) * 1000);
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }
}
