package tcplab;

import tcplab.story.Layer;
import tcplab.story.LostLastAck;

/**
 * Notebook 04, the four-way close when its last ACK is lost: the client closes first, its host
 * drops its next pure ACK(s), the server closes. The server in LAST_ACK retransmits its FIN (the
 * retransmission timer, with backoff) and the client in TIME_WAIT answers every copy with an ACK
 * and restarts its TIME_WAIT timer. Plays on the layer {@link #privileges()} names (see {@link
 * NetworkCut}); the relay stand-in cannot drop a kernel's ACK and its table says so.
 */
public final class LastAck {
  private LastAck() {}

  /** What this machine allows: the layer the story uses and why, one line per layer and tool. */
  public static String privileges() {
    return Layer.privileges();
  }

  /**
   * The client host loses its next {@code drops} (1 .. 4) pure ACKs during the close: the table (t
   * = seconds after the server's close), its packets and ladder.
   */
  public static Wire lost(int drops) {
    return Layer.play(new LostLastAck(drops));
  }
}
