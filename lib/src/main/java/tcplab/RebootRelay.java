package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import jdk.net.ExtendedSocketOptions;
import tech.tablesaw.api.Table;

/**
 * The RELAY layer's version of {@link Reboot}: crash = the server's sockets close with SO_LINGER 0 behind the
 * relay (the client hears nothing), reboot = the relay answers the client's next bytes with RST. Each table ends
 * with one row that says what differs from a real crash and reboot.
 */
final class RebootRelay {
  private static final String DATA = "0123456789abcdef";

  private RebootRelay() {}

  private static void crash(Relay r, Timeline tl) {
    tl.zero();
    r.crash();
    tl.add(0, "server host", "crash: the server's sockets close with SO_LINGER 0 behind the relay", "the client "
        + "hears nothing");
  }

  private static void reboot(Relay r, Timeline tl) {
    r.reboot();
    tl.add(tl.now(), "server host", "reboot: from now on the relay answers the client's bytes with RST", "");
  }

  static Table idleThenWrite() {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      tl.add(tl.now(), "both", "connection up (client -> relay -> server), idle", "");
      crash(r, tl);
      NoFin.sleepUntil(tl, 0.5);
      reboot(r, tl);
      tl.call("client", "write(16 bytes)", () -> Timeline.write(c.client(), DATA));
      tl.call("client", "read() (SO_TIMEOUT 3 s)", () -> Timeline.read(c.client(), 3000));
      tl.call("client", "write() again", () -> Timeline.write(c.client(), DATA));
      NoFinRelay.differs(tl, "the client sees what it sees after a real reboot (the write succeeds, the read gets "
          + "Connection reset, the next write Broken pipe), but the RST comes from the relay after its kernel ACKed "
          + "the 16 bytes, not from a rebooted kernel that never saw them");
      return tl.table("Crash + reboot: the client's write succeeds, then RST");
    }
  }

  static Table unackedData(int downMillis) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      crash(r, tl);
      double wrote = tl.now();
      tl.add(wrote, "client", "write(16 bytes) while the host is down", Timeline.write(c.client(), DATA));
      CompletableFuture<Object[]> reader = tl.readAsync(c.client(), downMillis + 10_000);
      NoFin.sleepUntil(tl, wrote + downMillis / 1000.0);
      String info = NoFinRelay.tcpInfo(NoFinRelay.fd(c.client()));
      r.reboot();
      double up = tl.now();
      double next = wrote + NoFin.nextRetransmission(up - wrote, NoFin.RTO_MIN);
      tl.add(up, "server host", "reboot after " + downMillis + " ms (client TCP_INFO: " + info + ")",
          "the relay resets the connection at once", false);
      Object[] got = Timeline.await(reader, downMillis + 11_000L);
      tl.add((double) got[1], "client", "the blocked read() returns", (String) got[0]);
      tl.call("client", "write() again", () -> Timeline.write(c.client(), DATA));
      NoFinRelay.differs(tl, String.format("with a real crash the 16 bytes stay unacked and the client's next "
          + "retransmission after the reboot (about %.2f s) draws the RST; here the relay's kernel ACKed them "
          + "(unacked=0, nothing is retransmitted), so the relay resets the connection at the reboot itself, "
          + "standing in for that retransmission", next));
      return tl.table("Crash + reboot with unacked data: the client is reset after the reboot");
    }
  }

  static Table readerWithoutKeepalive(int soTimeoutMillis) {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      crash(r, tl);
      reboot(r, tl);
      tl.call("client", "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms, no keepalive",
          () -> Timeline.read(c.client(), soTimeoutMillis));
      tl.add(tl.now(), "client", "half-open: the client never sends, so it is never told", "");
      NoFinRelay.differs(tl, "nothing the client can see: a reader that never sends is never told, relay or not "
          + "(the server's state is that of its socket behind the relay)");
      return tl.table("Crash + reboot, a reader without keepalive never notices");
    }
  }

  static Table readerWithKeepalive() {
    int idle = 1, deadline = 3000;
    try (Relay r = Relay.start(); Relay.Link c = r.connect(s -> {
      s.setKeepAlive(true);
      s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idle);
      s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
      s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
    })) {
      Timeline tl = new Timeline(Relay.states(c));
      double sinceConnect = tl.now();
      crash(r, tl);
      reboot(r, tl);
      tl.add(tl.now(), "client", "read() with SO_TIMEOUT=" + deadline + " ms, keepalive idle 1 s, interval 1 s, "
          + "count 2", "", false);
      String got = Timeline.read(c.client(), deadline);
      tl.add(tl.now(), "client", "the read() returns", "never (the relay's kernel answers the probes): " + got);
      NoFinRelay.differs(tl, String.format("with a real reboot the first keepalive probe (t=%.2f s) meets the new "
          + "kernel and the read fails with Connection reset; here the relay's kernel answers every probe, so "
          + "keepalive never fires and only SO_TIMEOUT ends the read", idle - sinceConnect));
      return tl.table("Crash + reboot, a reader with keepalive: the relay answers the probes");
    }
  }

  static Table listensAgain() {
    try (Relay r = Relay.start(); Relay.Link c = r.connect()) {
      Timeline tl = new Timeline(Relay.states(c));
      crash(r, tl);
      reboot(r, tl);
      ServerSocket l = r.listenAgain();
      tl.add(tl.now(), "server host", "the service starts again: listen on port " + c.serverPort(), "LISTEN", false);
      tl.call("client", "old connection: write(16 bytes)", () -> Timeline.write(c.client(), DATA));
      tl.call("client", "old connection: read()", () -> Timeline.read(c.client(), 3000));
      try (Socket n = new Socket()) {
        n.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), r.relayPort()), 3000);
        try (Socket a = r.accept(l, 3000)) {
          Timeline.write(n, "hello");
          String verdict = "connected from port " + n.getLocalPort() + "; the server read " + Timeline.read(a, 3000);
          tl.add(tl.now(), "client", "new connection to the same port, write(\"hello\")", verdict, false);
        }
      } catch (IOException | RuntimeException e) {
        tl.add(tl.now(), "client", "new connection to the same port", Timeline.text(e), false);
      }
      NoFinRelay.differs(tl, "what the client sees is the same as after a real reboot, but the RST for the old "
          + "connection comes from the relay, and the new connection runs through it");
      return tl.table("Crash + reboot, service restarted: old connection reset, new one works");
    }
  }
}
