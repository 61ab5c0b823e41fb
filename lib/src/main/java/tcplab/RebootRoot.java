package tcplab;

import tcplab.observe.CView;
import tcplab.observe.TcpInfo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import jdk.net.ExtendedSocketOptions;
import tech.tablesaw.api.Table;

/**
 * The ROOT-layer implementation of {@link Reboot} (also run by the USERNS layer's child JVM): each helper builds
 * its own {@link TwoHosts}; t = seconds after the crash. Table names carry no layer label.
 */
final class RebootRoot {
  private static final String DATA = "0123456789abcdef";

  private RebootRoot() {}

  private static void crash(TwoHosts h, Timeline tl, TwoHosts.Connection c) {
    tl.zero();
    h.crashServer(c.server(), c.listener());
    tl.add(0, "server host", "crash: cable pulled, sockets and kernel state gone (nothing sent)", "");
  }

  private static void reboot(TwoHosts h, Timeline tl) {
    h.rebootServer();
    tl.add(tl.now(), "server host", "reboot: same IP and MAC, empty kernel", "");
  }

  // ------------------------------------------------------------------ 5. idle connection, then a write

  /**
   * Idle connection; the server host crashes, reboots after 500 ms; the client writes: the write succeeds (16),
   * the next read gets "Connection reset" (the new kernel's RST), the write after that "Broken pipe".
   */
  static Table idleThenWrite() {
    return idleThenWrite(null);
  }

  /** With {@code tap} (may be null): packets captured inside the client host from before the handshake on. */
  static Table idleThenWrite(WireTap tap) {
    try (TwoHosts h = TwoHosts.create()) {
      if (tap != null) {
        tap.begin(h);
      }
      try (TwoHosts.Connection c = h.connect()) {
        return idleThenWrite(h, c, tap);
      } finally {
        if (tap != null) {
          tap.stop();
        }
      }
    }
  }

  private static Table idleThenWrite(TwoHosts h, TwoHosts.Connection c, WireTap tap) {
    Timeline tl = new Timeline(h, c);
    if (tap != null) {
      tap.attach(tl, c.clientPort());
    }
    tl.add(tl.now(), "both", "connection up, idle", "");
    crash(h, tl, c);
    NoFin.sleepUntil(tl, 0.5);
    reboot(h, tl);
    tl.call("client", "write(16 bytes)", () -> Timeline.write(c.client(), DATA));
    tl.call("client", "read() (SO_TIMEOUT 3 s)", () -> Timeline.read(c.client(), 3000));
    tl.call("client", "write() again", () -> Timeline.write(c.client(), DATA));
    return tl.table("Crash + reboot: the client's write succeeds, then RST");
  }

  // ------------------------------------------------------------------ 6. unacked data while the host is down

  /**
   * The server host crashes; the client writes 16 bytes while it is down and blocks in read(); the host reboots
   * after {@code downMillis}: the next retransmission (exponential backoff) draws the RST.
   */
  static Table unackedData(int downMillis) {
    Check.range("downMillis", downMillis, 0, 6_000, "ms");
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      Timeline tl = new Timeline(h, c);
      int fd = CView.fdOf(c.client());
      double rto = NoFin.rtoSeconds(fd);
      crash(h, tl, c);
      double wrote = tl.now();
      tl.add(wrote, "client", "write(16 bytes) while the host is down", Timeline.write(c.client(), DATA));
      CompletableFuture<Object[]> reader = tl.readAsync(c.client(), downMillis + 10_000);
      NoFin.sleepUntil(tl, wrote + downMillis / 1000.0);
      String info = TcpInfo.of(fd).map(TcpInfo::text).orElse("");
      h.rebootServer();
      double up = tl.now();
      double next = wrote + NoFin.nextRetransmission(up - wrote, rto);
      tl.add(up, "server host", "reboot after " + downMillis + " ms (client TCP_INFO: " + info + ")",
          String.format("model: the next retransmission, at %.2f s, meets the new kernel", next));
      Object[] r = Timeline.await(reader, downMillis + 11_000L);
      tl.add((double) r[1], "client", "the blocked read() returns", (String) r[0]);
      tl.call("client", "write() again", () -> Timeline.write(c.client(), DATA));
      return tl.table("Crash + reboot with unacked data: the next retransmission draws the RST");
    }
  }

  // ------------------------------------------------------------------ 7. a reader with and without keepalive

  /** A client that only reads: without keepalive it never notices (SO_TIMEOUT fires, still ESTABLISHED). */
  static Table readerWithoutKeepalive(int soTimeoutMillis) {
    Check.range("soTimeoutMillis", soTimeoutMillis, 200, 10_000, "ms");
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      Timeline tl = new Timeline(h, c);
      crash(h, tl, c);
      reboot(h, tl);
      tl.call("client", "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms, no keepalive",
          () -> Timeline.read(c.client(), soTimeoutMillis));
      tl.add(tl.now(), "client", "half-open: the client never sends, so it is never told", "");
      return tl.table("Crash + reboot, a reader without keepalive never notices");
    }
  }

  /** The same reader with keepalive 1/1/2: the first probe meets the rebooted kernel and gets "Connection reset". */
  static Table readerWithKeepalive() {
    int idle = 1;
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect(TwoHosts.PORT, s -> {
      s.setKeepAlive(true);
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
      s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
    })) {
      Timeline tl = new Timeline(h, c);
      double sinceConnect = tl.now();
      crash(h, tl, c);
      reboot(h, tl);
      double firstProbe = idle - sinceConnect;
      tl.add(tl.now(), "client", "read() with SO_TIMEOUT=5000 ms, keepalive idle 1 s, interval 1 s, count 2",
          String.format("model: the first probe, %d s after the last traffic (t=%.2f s), draws the RST", idle,
              firstProbe), false);
      String r = Timeline.read(c.client(), 5000);
      tl.add(tl.now(), "client", "the read() returns", r);
      return tl.table("Crash + reboot, a reader with keepalive notices at the first probe");
    }
  }

  // ------------------------------------------------------------------ 8. the rebooted host listens again

  /** The rebooted host listens on the same port again: the old connection gets RST, a new connection works. */
  static Table listensAgain() {
    try (TwoHosts h = TwoHosts.create(); TwoHosts.Connection c = h.connect()) {
      Timeline tl = new Timeline(h, c);
      crash(h, tl, c);
      reboot(h, tl);
      ServerSocket l = h.listenAgain(c.serverPort());
      tl.add(tl.now(), "server host", "the service starts again: listen on port " + c.serverPort(), "LISTEN", false);
      tl.call("client", "old connection: write(16 bytes)", () -> Timeline.write(c.client(), DATA));
      tl.call("client", "old connection: read()", () -> Timeline.read(c.client(), 3000));
      String verdict;
      try (Socket n = h.onClient(() -> {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(h.serverAddress(), c.serverPort()), 3000);
        return s;
      })) {
        l.setSoTimeout(3000);
        try (Socket a = l.accept()) {
          Timeline.write(n, "hello");
          verdict = "connected from port " + n.getLocalPort() + "; the server read " + Timeline.read(a, 3000);
          tl.add(tl.now(), "client", "new connection to the same port, write(\"hello\")", verdict, false);
        }
      } catch (IOException | RuntimeException e) {
        tl.add(tl.now(), "client", "new connection to the same port", Timeline.text(e), false);
      }
      return tl.table("Crash + reboot, service restarted: old connection reset, new one works");
    }
  }
}
