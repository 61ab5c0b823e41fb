package tcplab.story;

import java.net.Socket;
import java.util.Optional;
import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.Table;

/**
 * The lost last ACK (04): the client closes first and waits in FIN_WAIT2; its host then drops its
 * next {@code drops} outgoing pure ACKs (an nft rule in the client host only); the server closes.
 * The client's kernel ACKs the server's FIN and enters TIME_WAIT, but the ACK is lost: the server,
 * in LAST_ACK, retransmits its FIN with the retransmission timer (backoff), and the client in
 * TIME_WAIT answers every copy with a new ACK and restarts its 60 s TIME_WAIT timer. The ACK after
 * the last dropped one gets through and ends LAST_ACK. Both ends' /proc rows are sampled every 10
 * ms. On the relay nothing can be dropped: the close is orderly and the table says what differs.
 */
public record LostLastAck(int drops) implements Story {
  public LostLastAck {
    Check.range(
        "drops", drops, 1, 4, "lost ACKs (each one costs the server a FIN with a doubled wait)");
  }

  /** Linux's TIME_WAIT (TCP_TIMEWAIT_LEN, a constant of the kernel): 60 s. */
  static final long TIME_WAIT_MILLIS = 60_000;

  /**
   * FIN times of the model: the first FIN at 0; the first copy is a tail-loss probe (about 2 RTT +
   * 200 ms, so about one RTO on this cable), then the retransmission timer: RTO, 2 RTO, 4 RTO ...
   */
  static double[] model(int drops, double rto) {
    double[] at = new double[drops + 1];
    for (int i = 1; i <= drops; i++) {
      at[i] = at[i - 1] + (i == 1 ? rto : rto * (1 << (i - 2)));
    }
    return at;
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      boolean real = net.realKernels();
      double rto = Plays.rto(Plays.fd(c.server()));
      tl.call("client", "close(): FIN (the client closes first)", () -> close(c.client()));
      awaitState(net, c, true, "FIN_WAIT2", 2000);
      tl.add(
          tl.now(),
          "server kernel",
          "ACKs the client's FIN",
          "client FIN_WAIT2, server CLOSE_WAIT");
      if (net.dropClientAcks(drops)) {
        tl.add(
            tl.now(),
            "client host",
            "nft rule in the client host only: drop outgoing pure ACKs (tcp flags == ack)",
            "the next " + drops + " dropped, later ones let through",
            false);
      } else {
        tl.add(
            tl.now(), "client host", "cannot drop the client's ACKs", net.cannotDropAcks(), false);
      }
      double[] model = model(real ? drops : 0, rto);
      tl.zero();
      tl.call("server", "close(): FIN", () -> close(c.server()));
      watch(net, c, tl, (long) (model[model.length - 1] * 1000) + 3000);
      if (real) {
        tl.add(
            tl.now(),
            "client host",
            "nft counter: pure ACKs dropped",
            String.valueOf(net.droppedClientAcks()),
            false);
        StringBuilder m = new StringBuilder();
        for (int i = 1; i < model.length; i++) {
          m.append(i == 1 ? "" : ", ").append(String.format("%.2f", model[i]));
        }
        tl.add(
            tl.now(),
            "model",
            "the server's FIN again: a tail-loss probe, then the retransmission timer (doubling)",
            String.format("copies at %s s (RTO %.0f ms)", m, rto * 1000),
            false);
        return tl.table(
            "The lost last ACK: LAST_ACK retransmits its FIN, TIME_WAIT answers each copy");
      }
      Plays.differs(
          tl,
          "with a real lost ACK the server stays in LAST_ACK and retransmits its FIN after about "
              + String.format("%.0f ms", rto * 1000)
              + " (then doubling), and the client in TIME_WAIT answers each copy with an ACK and "
              + "restarts its 60 s timer; here "
              + net.cannotDropAcks());
      return tl.table("The last ACK: not lost here (the relay cannot drop a kernel's ACK)");
    }
  }

  // endregion

  /**
   * Samples both ends every 10 ms and adds a row when a state, a retransmission or a timer changes.
   */
  private static void watch(Network net, Network.Link c, Timeline tl, long millis) {
    long end = System.nanoTime() + millis * 1_000_000L;
    Timeline.States st = net.states(c);
    String client = "FIN_WAIT2", server = "";
    int retrans = 0;
    int fins = 1;
    double lastFin = 0;
    double lastCame = Double.NEGATIVE_INFINITY; // when the last FIN came, from the client's timer
    boolean gone = false;
    while (System.nanoTime() < end) {
      double before = tl.now();
      Optional<ProcNetTcp.Row> cr = net.row(c, true);
      double at = (before + tl.now()) / 2; // when /proc was read, about
      Optional<ProcNetTcp.Row> sr = net.row(c, false);
      String cs = cr.map(ProcNetTcp.Row::state).orElseGet(st::client);
      String ss = sr.map(ProcNetTcp.Row::state).orElseGet(st::server);
      long left = cr.map(ProcNetTcp.Row::timerMillis).orElse(-1L);
      // TIME_WAIT's timer restarts at 60 s when a FIN comes: 60 s minus what is left says when
      double came = left < 0 ? Double.NaN : at - (TIME_WAIT_MILLIS - left) / 1000.0;
      if (!cs.equals(client)) {
        tl.add(
            at,
            "client kernel",
            cs.startsWith("TIME_WAIT") ? "got the server's FIN, sent an ACK" : "state changed",
            cs + (left > 0 ? String.format(" (timer %.2f s)", left / 1000.0) : ""));
        lastFin = 0; // the first FIN left at the server's close, t = 0
        lastCame = Double.isNaN(came) ? lastCame : came;
      } else if (cs.startsWith("TIME_WAIT") && came > lastCame + 0.05) {
        fins++;
        tl.add(
            came,
            "client kernel",
            "the FIN again: ACK again, TIME_WAIT timer restarted (t from the timer)",
            String.format(
                "copy %d, %.0f ms after the last; timer %.2f s at %.2f s",
                fins, (came - lastFin) * 1000, left / 1000.0, at),
            false);
        lastFin = came;
        lastCame = came;
      }
      if (sr.isPresent() && sr.get().retransmits() > retrans) {
        retrans = sr.get().retransmits();
        tl.add(
            at,
            "server kernel",
            "LAST_ACK: the retransmission timer fired (retrnsmt=" + retrans + ")",
            "");
      }
      client = cs;
      if (gone) {
        return; // one more sample after the server went: the FIN that drew its ACK is counted
      }
      if (!ss.equals(server)) {
        server = ss;
        if (ss.equals(ProcNetTcp.NOT_LISTED)) {
          tl.add(at, "server kernel", "an ACK got through: LAST_ACK ends", "server gone");
          gone = true;
        }
      }
      Plays.sleepUntil(tl, at + 0.01);
    }
    tl.add(tl.now(), "both", "still waiting at the deadline (" + millis + " ms)", "");
  }

  private static void awaitState(Network net, Network.Link c, boolean client, String s, long ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    Timeline.States st = net.states(c);
    while (System.nanoTime() < end && !(client ? st.client() : st.server()).startsWith(s)) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static String close(Socket s) {
    try {
      s.close();
      return "0";
    } catch (java.io.IOException e) {
      return Timeline.text(e);
    }
  }
}
