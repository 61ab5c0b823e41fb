package tcplab.story;

import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tcplab.observe.TcpInfo;
import tech.tablesaw.api.Table;

/**
 * What a Java NIO Selector sees when the cable is cut (05): the client's SocketChannel is
 * registered for OP_READ; cut; it writes 16 bytes (all of them fit in the send buffer, so OP_WRITE
 * is not asked) and selects every 200 ms. While its kernel retransmits, select() reports nothing;
 * when tcp_retries2 (set in the client host only) gives up, OP_READ becomes ready and read() throws
 * "Connection timed out". On the relay nothing is retransmitted: nothing is ever ready, until a
 * bounded deadline.
 */
public record SelectorCut(int retries2) implements Story {
  public SelectorCut {
    Check.range("retries2", retries2, 1, 5, "retransmissions (5 already takes 13 s)");
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      boolean real = net.setRetries2(retries2);
      Network.Link c = net.connectChannel();
      Timeline tl = stage.timeline(net, c);
      int fd = Plays.fd(c.client());
      double model = Model.retries2(retries2, Plays.rto(fd));
      long deadline =
          real
              ? (long) (model * 1000) + 5000
              : (long) Math.min(model * 1000 + 1000, RetransmitUntilTimeout.NEVER_CAP_MILLIS);
      try (Selecting s = new Selecting(c.client().getChannel(), tl)) {
        tl.add(
            tl.now(),
            "client host",
            "net.ipv4.tcp_retries2=" + retries2 + (real ? " (only in its namespace)" : " NOT set"),
            String.format("a real cut: ETIMEDOUT at about %.2f s", model),
            real);
        Plays.cut(net, tl, "cut: the server host drops everything", "");
        tl.add(tl.now(), "client", "write(16 bytes)", s.write(Plays.DATA));
        int zeros = 0, n = 0;
        String last = "";
        long end = System.nanoTime() + deadline * 1_000_000L;
        while (n == 0 && System.nanoTime() < end) {
          n = s.select(Math.min(200, (end - System.nanoTime()) / 1_000_000L));
          zeros += n == 0 ? 1 : 0;
          String info =
              fd < 0
                  ? ""
                  : TcpInfo.of(fd)
                      .map(i -> "retransmits=" + i.retransmits() + " unacked=" + i.unacked())
                      .orElse("");
          if (n == 0 && !info.equals(last)) {
            tl.add(
                tl.now(),
                "client",
                "select(200 ms) = 0, " + zeros + " time(s) so far",
                "nothing ready; TCP_INFO " + info);
            last = info;
          }
        }
        if (n > 0) {
          tl.add(
              tl.now(), "client", "select() = " + n + " after " + zeros + " empty ones", s.ready());
        } else {
          tl.add(
              tl.now(),
              "client",
              "select() = 0 until the deadline (" + deadline + " ms), " + zeros + " times",
              "never ready: " + s.ready());
        }
        tl.add(tl.now(), "client", "read(buffer)", s.read());
        s.both();
      }
      if (real) {
        return tl.table(
            "A selector and a cut cable: nothing is ready until tcp_retries2="
                + retries2
                + " gives up");
      }
      Plays.differs(
          tl,
          String.format(
              "with a real cut the selector reports nothing while the kernel retransmits, then "
                  + "OP_READ at about %.1f s (tcp_retries2=%d) and read() throws Connection timed out; here "
                  + "the relay's kernel ACKed the 16 bytes at once, so nothing is retransmitted and nothing "
                  + "is ever ready",
              model, retries2));
      return tl.table("A selector and a cut cable: never ready (the relay's kernel ACKs)");
    }
  }
  // endregion
}
