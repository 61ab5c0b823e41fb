package tcplab.story;

import java.util.concurrent.CompletableFuture;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tech.tablesaw.api.Table;

/**
 * No FIN (05): cut; the client writes 16 bytes, then reads. On real kernels its kernel sends a
 * tail-loss probe, then retransmits with exponential backoff (TCP_INFO sampled every 200 ms) and
 * gives up when the time budget of tcp_retries2 (set in the client host only; {@link
 * Model#retries2}) is spent, after tcp_retries2 + 2 resends on the wire: the read fails with
 * "Connection timed out", the next write with EPIPE. On the relay nothing is retransmitted (the
 * relay's kernel ACKs): the read ends at a bounded deadline and the table says so.
 */
public record RetransmitUntilTimeout(int retries2) implements Story {
  /** The longest the relay waits for a timeout that never comes. */
  static final int NEVER_CAP_MILLIS = 5_000;

  public RetransmitUntilTimeout {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
  }

  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      boolean real = net.setRetries2(retries2);
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      int fd = Plays.fd(c.client());
      double rto = Plays.rto(fd);
      double model = Model.retries2(retries2, rto);
      // the relay's kernel ACKs the 16 bytes: nothing to retransmit, no timeout; its read needs a
      // deadline
      int deadline =
          real
              ? (int) (model * 1000) + 5000
              : (int) Math.min(model * 1000 + 1000, NEVER_CAP_MILLIS);
      if (real) {
        tl.add(
            tl.now(),
            "client host",
            "net.ipv4.tcp_retries2=" + retries2 + " (only in its namespace)",
            String.format("model: ETIMEDOUT at %.2f s (RTO %.0f ms)", model, rto * 1000));
      } else {
        tl.add(
            tl.now(),
            "client host",
            "net.ipv4.tcp_retries2="
                + retries2
                + " NOT set (no namespace of our own; "
                + "the relay layer never changes a sysctl)",
            String.format("a real cut: ETIMEDOUT at about %.2f s", model),
            false);
      }
      Plays.cut(net, tl, "cut: the server host drops everything", "");
      tl.add(tl.now(), "client", "write(16 bytes)", Timeline.write(c.client(), Plays.DATA), !real);
      CompletableFuture<Timeline.Read> reader = tl.readAsync(c.client(), deadline);
      tl.add(
          tl.now(),
          "client",
          real
              ? "read() (blocks)"
              : "read() (blocks; SO_TIMEOUT=" + deadline + " ms is the deadline)",
          "",
          false);
      if (fd >= 0) {
        Plays.sampleRetransmits(tl, fd, reader, deadline + 1000L);
      }
      Timeline.Read r = Timeline.await(reader, real ? 1000 : deadline + 2000L);
      if (real) {
        tl.add(r.at(), "client", "the blocked read() returns", r.result());
        CResult send = CView.send(fd, new byte[] {'x'}, CView.MSG_NOSIGNAL);
        tl.add(tl.now(), "client", "C send(fd, 1 byte, MSG_NOSIGNAL)", send.text());
        tl.call("client", "write() again (Java)", () -> Timeline.write(c.client(), "x"));
        return tl.table("No FIN: retransmissions until tcp_retries2=" + retries2 + " gives up");
      }
      tl.add(
          r.at(),
          "client",
          "the blocked read() returns at the deadline",
          r.result() + " (not ETIMEDOUT: the kernel never gave up)");
      tl.add(tl.now(), "client kernel", "TCP_INFO", Plays.tcpInfo(net, fd));
      Plays.differs(
          tl,
          String.format(
              "with a real cut you would see retransmits rising and Connection timed out "
                  + "after about %.1f s (tcp_retries2=%d); here the relay's kernel ACKed the 16 bytes at once (unacked=0), so "
                  + "nothing is retransmitted and only SO_TIMEOUT (or a heartbeat) fires",
              model, retries2));
      return tl.table(
          String.format(
              "No FIN: no retransmissions, no timeout (tcp_retries2=%d would give up at "
                  + "%.1f s)",
              retries2, model));
    }
  }
}
