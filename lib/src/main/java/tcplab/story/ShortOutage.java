package tcplab.story;

import java.util.concurrent.CompletableFuture;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * No FIN (05): cut, the client writes "abc", the network heals after {@code outageMillis}: "abc"
 * arrives intact (on real kernels at the next retransmission). TCP is reliable as long as it does
 * not give up.
 */
public record ShortOutage(int outageMillis) implements Story {
  public ShortOutage {
    Check.range("outageMillis", outageMillis, 100, 5_000, "ms");
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      int fd = Plays.fd(c.client());
      double rto = Plays.rto(fd);
      Plays.cut(net, tl, "cut: the server host drops everything", "");
      tl.call("client", "write(\"abc\")", () -> Timeline.write(c.client(), "abc"));
      CompletableFuture<Timeline.Read> reader = tl.readAsync(c.server(), outageMillis + 8000);
      Plays.sleepUntil(tl, outageMillis / 1000.0);
      String info = Plays.tcpInfo(net, fd);
      net.heal();
      double healed = tl.now();
      tl.add(
          healed,
          "network",
          "heal after " + outageMillis + " ms (client TCP_INFO: " + info + ")",
          net.realKernels()
              ? String.format(
                  "model: the next retransmission, at %.2f s, gets through",
                  Model.nextRetransmission(healed, rto))
              : "the relay delivers the bytes it held",
          false);
      Timeline.Read r = Timeline.await(reader, outageMillis + 9000L);
      tl.add(r.at(), "server", "read()", r.result());
      if (net.realKernels()) {
        tl.add(tl.now(), "client kernel", "TCP_INFO", Plays.tcpInfo(net, fd));
      } else { // the relay held the bytes its kernel had ACKed; nothing was retransmitted
        Plays.differs(
            tl,
            String.format(
                "with a real cut \"abc\" stays unacked in the client's kernel and the first "
                    + "retransmission after the heal (about %.2f s) delivers it; here the relay's kernel ACKed it at once "
                    + "and the relay handed it over at the heal",
                Model.nextRetransmission(outageMillis / 1000.0, Model.RTO_MIN)));
      }
      return tl.table("No FIN: a short outage loses nothing");
    }
  }
  // endregion
}
