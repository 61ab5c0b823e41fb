package tcplab;

import tcplab.story.IdleThenWrite;
import tcplab.story.Layer;
import tcplab.story.ListensAgain;
import tcplab.story.ReaderWithKeepalive;
import tcplab.story.ReaderWithoutKeepalive;
import tcplab.story.SelectorReboot;
import tcplab.story.UnackedData;

/**
 * Notebook 06, the peer's host crashes (no FIN, no RST: the kernel itself is gone) and reboots: a
 * fresh kernel with the same IP and MAC but no memory of the connection answers the next segment
 * with RST. One line per story; each returns its table (t = seconds after the crash) with the
 * packets and the ladder, named with its layer (see {@link NetworkCut}); on the relay, "reboot"
 * means the relay answers the client's next bytes with RST.
 */
public final class HostReboot {
  private HostReboot() {}

  /** What this machine allows: the layer the stories use and why, one line per layer and tool. */
  public static String privileges() {
    return Layer.privileges();
  }

  /**
   * Idle connection, crash, reboot after 500 ms, write: the write succeeds, the read gets RST, then
   * EPIPE.
   */
  public static Wire idleThenWrite() {
    return Layer.play(new IdleThenWrite());
  }

  /**
   * Crash, write 16 bytes while the host is down, reboot after {@code downMillis}: the next
   * retransmission gets RST.
   */
  public static Wire unackedData(int downMillis) {
    return Layer.play(new UnackedData(downMillis));
  }

  /**
   * A client that only reads, without keepalive: it never notices (SO_TIMEOUT fires, still
   * ESTABLISHED).
   */
  public static Wire readerWithoutKeepalive(int soTimeoutMillis) {
    return Layer.play(new ReaderWithoutKeepalive(soTimeoutMillis));
  }

  /**
   * The same reader with keepalive 1/1/2: the first probe meets the rebooted kernel and gets RST.
   */
  public static Wire readerWithKeepalive() {
    return Layer.play(new ReaderWithKeepalive());
  }

  /**
   * The rebooted host listens on the same port again: the old connection gets RST, a new one works.
   */
  public static Wire listensAgain() {
    return Layer.play(new ListensAgain());
  }

  /**
   * A Java NIO Selector on the client's channel (OP_READ): crash, reboot after {@code downMillis},
   * write: the RST makes OP_READ ready and read() throws "Connection reset".
   */
  public static Wire selector(int downMillis) {
    return Layer.play(new SelectorReboot(downMillis));
  }
}
