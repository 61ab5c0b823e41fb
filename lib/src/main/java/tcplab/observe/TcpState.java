package tcplab.observe;

import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The TCP states, declared once: the kernel's eleven (numbered 1 to 11 as in
 * include/net/tcp_states.h, /proc/net/tcp and TCP_INFO) and CLOSED, which the lab shows for a
 * socket the kernel no longer lists (closed by an RST, or released).
 */
public enum TcpState {
  ESTABLISHED,
  SYN_SENT,
  SYN_RECV,
  FIN_WAIT1,
  FIN_WAIT2,
  TIME_WAIT,
  CLOSE,
  CLOSE_WAIT,
  LAST_ACK,
  LISTEN,
  CLOSING,
  CLOSED;

  /**
   * The name of the kernel's state number {@code n} (1 ESTABLISHED ... 11 CLOSING), "STATE" + n for
   * others.
   */
  public static String name(int n) {
    return n >= 1 && n <= CLOSING.ordinal() + 1 ? values()[n - 1].name() : "STATE" + n;
  }

  /** The names of all states in alphabetical order (for a message that lists them). */
  public static SortedSet<String> names() {
    SortedSet<String> names = new TreeSet<>();
    for (TcpState s : values()) {
      names.add(s.name());
    }
    return names;
  }

  /** True if {@code name} is one of these states. */
  public static boolean isState(String name) {
    for (TcpState s : values()) {
      if (s.name().equals(name)) {
        return true;
      }
    }
    return false;
  }
}
