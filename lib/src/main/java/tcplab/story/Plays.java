package tcplab.story;

import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tcplab.observe.CView;
import tcplab.observe.TcpInfo;

/**
 * What several stories do the same way: the faults as timeline rows, TCP_INFO, the "what differs"
 * row.
 */
final class Plays {
  static final String DATA = "0123456789abcdef";

  private Plays() {}

  /**
   * The fd of a socket for TCP_INFO, or -1 when CView (JNA, Linux) is unavailable here (relay
   * only).
   */
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

  /** tcpi_rto of fd in seconds, at least RTO_MIN (RTO_MIN without TCP_INFO). */
  static double rto(int fd) {
    return fd < 0
        ? Model.RTO_MIN
        : Math.max(
            Model.RTO_MIN, TcpInfo.of(fd).map(i -> i.rtoMicros() / 1e6).orElse(Model.RTO_MIN));
  }

  /** The client's TCP_INFO: all of it on real kernels, the counters that matter on the relay. */
  static String tcpInfo(Network net, int fd) {
    if (net.realKernels()) {
      return TcpInfo.of(fd).map(TcpInfo::text).orElse("");
    }
    return fd < 0
        ? "no TCP_INFO here"
        : TcpInfo.of(fd)
            .map(
                i ->
                    String.format(
                        "retransmits=%d total=%d unacked=%d notsent=%d",
                        i.retransmits(), i.totalRetrans(), i.unacked(), i.notsentBytes()))
            .orElse("no TCP_INFO");
  }

  /** Time 0: the cable is cut (on the relay: it stops forwarding and holds the bytes). */
  static void cut(Network net, Timeline tl, String what, String result) {
    net.cut();
    tl.zero();
    if (net.realKernels()) {
      tl.add(0, "network", what, result);
    } else {
      tl.add(
          0,
          "network",
          "blackhole: the relay stops forwarding, both TCP connections stay open",
          "no FIN, no RST: nobody is told");
    }
  }

  /** Time 0: the server host crashes. */
  static void crash(Network net, Timeline tl) {
    tl.zero();
    net.crashServer();
    if (net.realKernels()) {
      tl.add(
          0,
          "server host",
          "crash: cable pulled, sockets and kernel state gone (nothing sent)",
          "");
    } else {
      tl.add(
          0,
          "server host",
          "crash: the server's sockets close with SO_LINGER 0 behind the relay",
          "the client hears nothing");
    }
  }

  static void reboot(Network net, Timeline tl) {
    net.reboot();
    tl.add(
        tl.now(),
        "server host",
        net.realKernels()
            ? "reboot: same IP and MAC, empty kernel"
            : "reboot: from now on the relay answers the client's bytes with RST",
        "");
  }

  /** "connection up, idle" (through the relay, it says so). */
  static void idle(Network net, Timeline tl) {
    tl.add(
        tl.now(),
        "both",
        net.realKernels()
            ? "connection up, idle"
            : "connection up (client -> relay -> server), idle",
        "");
  }

  /** The relay's last row: what a real cut (or crash) would show instead. */
  static void differs(Timeline tl, String text) {
    tl.add(tl.now(), "relay stand-in", "what differs from a real cut", text, false);
  }

  /**
   * One row whenever the client's TCP_INFO counters change (every 200 ms) until {@code until} is
   * done.
   */
  static void sampleRetransmits(Timeline tl, int fd, CompletableFuture<?> until, long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    String last = "";
    while (!until.isDone() && System.nanoTime() < end) {
      double at = tl.now();
      String now =
          TcpInfo.of(fd)
              .map(
                  i ->
                      String.format(
                          "retransmits=%d total=%d backoff=%d rto=%dms unacked=%d",
                          i.retransmits(),
                          i.totalRetrans(),
                          i.backoff(),
                          i.rtoMicros() / 1000,
                          i.unacked()))
              .orElse("no TCP_INFO");
      if (!now.equals(last) && !until.isDone()) {
        tl.add(at, "client kernel", "TCP_INFO", now);
        last = now;
      }
      try {
        until.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        // next sample
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException e) {
        return;
      }
    }
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
