package tcplab.story;

import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * No FIN (05): idle connection, cut, the client blocks in read() with SO_TIMEOUT:
 * SocketTimeoutException after the timeout, and both kernels still say ESTABLISHED (half-open).
 * Nothing is sent, so nothing can fail.
 */
public record BlockedRead(int soTimeoutMillis) implements Story {
  public BlockedRead {
    Check.range("soTimeoutMillis", soTimeoutMillis, 100, 10_000, "ms");
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      Plays.idle(net, tl);
      Plays.cut(
          net,
          tl,
          "cut: the server host drops everything in and out",
          "no FIN, no RST: nobody is told");
      String r = Timeline.read(c.client(), soTimeoutMillis);
      tl.add(tl.now(), "client", "read() with SO_TIMEOUT=" + soTimeoutMillis + " ms", r);
      tl.add(tl.now(), "both", "half-open: both kernels still believe in the connection", "");
      if (!net.realKernels()) { // an idle reader cannot tell the relay from a cut
        Plays.differs(
            tl,
            "nothing an idle reader can see: with a real cut SO_TIMEOUT fires the same way and both "
                + "ends stay ESTABLISHED; the difference shows once the client sends (the relay's kernel ACKs it)");
      }
      return tl.table("No FIN: a blocked read only ends by its own timeout");
    }
  }
  // endregion
}
