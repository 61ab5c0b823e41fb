package tcplab.story;

import java.util.concurrent.CompletableFuture;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * Host reboot (06): the server host crashes; the client writes 16 bytes while it is down and blocks
 * in read(); the host reboots after {@code downMillis}: the next retransmission (exponential
 * backoff) draws the RST.
 */
public record UnackedData(int downMillis) implements Story {
  public UnackedData {
    Check.range("downMillis", downMillis, 0, 6_000, "ms");
  }

  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      boolean real = net.realKernels();
      int fd = Plays.fd(c.client());
      double rto = real ? Plays.rto(fd) : Model.RTO_MIN;
      Plays.crash(net, tl);
      double wrote = tl.now();
      tl.add(
          wrote,
          "client",
          "write(16 bytes) while the host is down",
          Timeline.write(c.client(), Plays.DATA));
      CompletableFuture<Timeline.Read> reader = tl.readAsync(c.client(), downMillis + 10_000);
      Plays.sleepUntil(tl, wrote + downMillis / 1000.0);
      String info = Plays.tcpInfo(net, fd);
      net.reboot();
      double up = tl.now();
      double next = wrote + Model.nextRetransmission(up - wrote, rto);
      // the relay's kernel ACKed the bytes: nothing is retransmitted, so the relay resets at the
      // reboot itself
      tl.add(
          up,
          "server host",
          "reboot after " + downMillis + " ms (client TCP_INFO: " + info + ")",
          real
              ? String.format(
                  "model: the next retransmission, at %.2f s, meets the new kernel", next)
              : "the relay resets the connection at once",
          real);
      Timeline.Read r = Timeline.await(reader, downMillis + 11_000L);
      tl.add(r.at(), "client", "the blocked read() returns", r.result());
      tl.call("client", "write() again", () -> Timeline.write(c.client(), Plays.DATA));
      if (real) {
        return tl.table("Crash + reboot with unacked data: the next retransmission draws the RST");
      }
      Plays.differs(
          tl,
          String.format(
              "with a real crash the 16 bytes stay unacked and the client's next "
                  + "retransmission after the reboot (about %.2f s) draws the RST; here the relay's kernel ACKed them "
                  + "(unacked=0, nothing is retransmitted), so the relay resets the connection at the reboot itself, "
                  + "standing in for that retransmission",
              next));
      return tl.table("Crash + reboot with unacked data: the client is reset after the reboot");
    }
  }
}
