package tcplab.story;

import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * Host reboot (06): a client that only reads, without keepalive, never notices (SO_TIMEOUT fires,
 * still ESTABLISHED).
 */
public record ReaderWithoutKeepalive(int soTimeoutMillis) implements Story {
  public ReaderWithoutKeepalive {
    Check.range("soTimeoutMillis", soTimeoutMillis, 200, 10_000, "ms");
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      Plays.crash(net, tl);
      Plays.reboot(net, tl);
      tl.call(
          "client",
          "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms, no keepalive",
          () -> Timeline.read(c.client(), soTimeoutMillis));
      tl.add(tl.now(), "client", "half-open: the client never sends, so it is never told", "");
      if (!net.realKernels()) { // a reader that never sends cannot tell
        Plays.differs(
            tl,
            "nothing the client can see: a reader that never sends is never told, relay or not "
                + "(the server's state is that of its socket behind the relay)");
      }
      return tl.table("Crash + reboot, a reader without keepalive never notices");
    }
  }
  // endregion
}
