package tcplab;

import tcplab.story.BlockedRead;
import tcplab.story.HealInWindow;
import tcplab.story.Layer;
import tcplab.story.RetransmitUntilTimeout;
import tcplab.story.SelectorCut;
import tcplab.story.ShortOutage;
import tcplab.story.TimeToDetect;

/**
 * Notebook 05, the peer sends NO FIN: the cable between the hosts is cut (the server host silently
 * drops everything). One line per story; each returns its table (t = seconds after the cut) with
 * the packets and the ladder ({@link Wire#show()}). Every story plays on the layer {@link
 * #privileges()} names, and its table's name starts with it: "[real kernels, root] ", "[real
 * kernels, user namespace] " or "[relay stand-in: not a real cut] " (whose tables end with a row
 * saying what a real cut would show instead).
 */
public final class NetworkCut {
  private NetworkCut() {}

  /** What this machine allows: the layer the stories use and why, one line per layer and tool. */
  public static String privileges() {
    return Layer.privileges();
  }

  /**
   * Idle connection, cut, read() with SO_TIMEOUT: it times out, both ends stay ESTABLISHED
   * (half-open).
   */
  public static Wire blockedRead(int soTimeoutMillis) {
    return Layer.play(new BlockedRead(soTimeoutMillis));
  }

  /**
   * Cut, write 16 bytes, read: a tail-loss probe, then retransmissions with backoff until the time
   * budget tcp_retries2 stands for is spent (on the wire: tcp_retries2 + 2 resends), then ETIMEDOUT
   * and EPIPE.
   */
  public static Wire retransmitUntilTimeout(int retries2) {
    return Layer.play(new RetransmitUntilTimeout(retries2));
  }

  /**
   * {@link #timeToDetect(int[], int, int)} with retries2 1, 2, 3, TCP_USER_TIMEOUT 1000 ms,
   * SO_TIMEOUT 1000 ms.
   */
  public static Wire timeToDetect() {
    return Layer.play(new TimeToDetect());
  }

  /**
   * One row per mechanism (tcp_retries2, TCP_USER_TIMEOUT, keepalive, SO_TIMEOUT, heartbeat): time
   * to notice.
   */
  public static Wire timeToDetect(int[] retries2, int userTimeoutMillis, int soTimeoutMillis) {
    return Layer.play(new TimeToDetect(retries2, userTimeoutMillis, soTimeoutMillis));
  }

  /** Cut, write "abc", heal after {@code outageMillis}: "abc" arrives intact. */
  public static Wire shortOutageLosesNothing(int outageMillis) {
    return Layer.play(new ShortOutage(outageMillis));
  }

  /**
   * Cut, write "abc", heal before tcp_retries2 gives up: "abc" arrives, the connection lives on.
   */
  public static Wire healInWindow(int retries2) {
    return Layer.play(new HealInWindow(retries2));
  }

  /**
   * A Java NIO Selector on the client's channel (OP_READ): cut, write 16 bytes, select every 200
   * ms: nothing is ready until tcp_retries2 gives up, then OP_READ and read() throws "Connection
   * timed out".
   */
  public static Wire selector(int retries2) {
    return Layer.play(new SelectorCut(retries2));
  }
}
