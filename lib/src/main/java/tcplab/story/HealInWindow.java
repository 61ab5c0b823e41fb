package tcplab.story;

import java.util.concurrent.CompletableFuture;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * No FIN (05): cut, the client writes "abc", the cable is back before the last retransmission
 * tcp_retries2 allows (expiries double, so it comes at half the give-up time): it delivers "abc",
 * and the connection lives on.
 */
public record HealInWindow(int retries2) implements Story {
  public HealInWindow {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
  }

  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      net.setRetries2(retries2);
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      double giveUp = Model.retries2(retries2, Plays.rto(Plays.fd(c.client())));
      Plays.cut(net, tl, "cut: the server host drops everything", "");
      tl.call("client", "write(\"abc\")", () -> Timeline.write(c.client(), "abc"));
      CompletableFuture<Timeline.Read> reader =
          tl.readAsync(c.server(), (int) (giveUp * 1000) + 5000);
      double last = giveUp / 2; // the last retransmission; the next expiry gives up instead
      Plays.sleepUntil(tl, last * 0.75);
      net.heal();
      tl.add(
          tl.now(),
          "network",
          String.format(
              "heal, before the last retransmission (model: %.2f s; "
                  + "tcp_retries2=%d gives up at %.2f s)",
              last, retries2, giveUp),
          "",
          false);
      Timeline.Read r = Timeline.await(reader, (long) (giveUp * 1000) + 6000);
      tl.add(r.at(), "server", "read()", r.result());
      tl.call("client", "write(\"def\") after the heal", () -> Timeline.write(c.client(), "def"));
      tl.call("server", "read()", () -> Timeline.read(c.server(), 3000));
      if (!net
          .realKernels()) { // the relay held what its kernel had ACKed: there was no window to stay
        // inside
        Plays.differs(
            tl,
            "with a real cut \"abc\" waits unacked in the client's kernel and only a retransmission "
                + "before tcp_retries2 gives up delivers it; here the relay's kernel ACKed it and the relay delivered it "
                + "at the heal, however late");
      }
      return tl.table("No FIN: healed within the retransmission window, nothing is lost");
    }
  }
}
