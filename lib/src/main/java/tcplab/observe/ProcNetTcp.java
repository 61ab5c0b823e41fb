package tcplab.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Pure-Java reader of /proc/net/tcp and /proc/net/tcp6: the same Send-Q, Recv-Q, state and timer
 * that {@code ss} shows. One read costs about 5-20 ms (the kernel walks its hash table), so poll at
 * most ~100 Hz. A prefix such as "/proc/thread-self/net/" reads the network namespace of the
 * calling thread.
 */
public final class ProcNetTcp {
  /** Default location: the JVM's own network namespace. */
  public static final String DEFAULT_PREFIX = "/proc/net/";

  /** The state shown for a socket the kernel no longer lists (closed by an RST, or released). */
  public static final String NOT_LISTED = TcpState.CLOSED.name();

  private static final String[] TIMERS = {
    "off", "retransmit", "keepalive", "time_wait", "zero_window_probe"
  };

  private ProcNetTcp() {}

  /**
   * One socket line, as ss would show it.
   *
   * @param local local IP ("127.0.0.1" also for v4-mapped IPv6)
   * @param localPort local port
   * @param remote remote IP
   * @param remotePort remote port
   * @param state state name, e.g. "ESTABLISHED"
   * @param sendQ tx_queue: unacked + unsent bytes (for LISTEN: 0)
   * @param recvQ rx_queue: received, unread bytes (for LISTEN: accept backlog)
   * @param timer running timer: off, retransmit, keepalive, time_wait, zero_window_probe
   * @param retransmits retransmissions of the current segment or probes (retrnsmt)
   * @param inode socket inode (as in /proc/self/fd "socket:[inode]"); 0 for TIME_WAIT
   * @param timerMillis time left on that timer (tm->when, in 10 ms steps), e.g. 60000 when
   *     TIME_WAIT starts; 0 when off
   */
  public record Row(
      String local,
      int localPort,
      String remote,
      int remotePort,
      String state,
      long sendQ,
      long recvQ,
      String timer,
      int retransmits,
      long inode,
      long timerMillis) {
    /**
     * One line, e.g. "127.0.0.1:41000 -> 127.0.0.1:37000 ESTABLISHED Send-Q=0 Recv-Q=5 timer=off".
     */
    public String text() {
      return local
          + ":"
          + localPort
          + " -> "
          + remote
          + ":"
          + remotePort
          + " "
          + state
          + " Send-Q="
          + sendQ
          + " Recv-Q="
          + recvQ
          + " timer="
          + timer
          + " retrans="
          + retransmits;
    }
  }

  /** True when /proc/net/tcp can be read (Linux). */
  public static boolean available() {
    return Files.isReadable(Path.of(DEFAULT_PREFIX, "tcp"));
  }

  /** All rows of /proc/net/tcp and tcp6; empty if not available. */
  public static List<Row> rows() {
    return rows(DEFAULT_PREFIX);
  }

  /** All rows of {prefix}tcp and {prefix}tcp6, e.g. prefix "/proc/thread-self/net/". */
  public static List<Row> rows(String prefix) {
    return rows(prefix, "tcp", "tcp6");
  }

  /**
   * All rows of the given files under {@code prefix} (e.g. only "tcp6": one read costs several ms).
   */
  public static List<Row> rows(String prefix, String... files) {
    List<Row> out = new ArrayList<>();
    for (String file : files) {
      List<String> lines;
      try {
        lines = Files.readAllLines(Path.of(prefix + file));
      } catch (IOException e) {
        continue; // e.g. IPv6 disabled
      }
      for (int i = 1; i < lines.size(); i++) {
        Row r = parse(lines.get(i));
        if (r != null) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** The row with this local and remote port (the first one, if several), or empty. */
  public static Optional<Row> find(int localPort, int remotePort) {
    return find(DEFAULT_PREFIX, localPort, remotePort);
  }

  /** Like {@link #find(int, int)} for another prefix. */
  public static Optional<Row> find(String prefix, int localPort, int remotePort) {
    return rows(prefix).stream()
        .filter(r -> r.localPort == localPort && r.remotePort == remotePort)
        .findFirst();
  }

  /**
   * Polls every ~5 ms until the row exists and {@code condition} holds (true) or the deadline
   * passes (false).
   */
  public static boolean awaitState(
      int localPort, int remotePort, Predicate<Row> condition, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      Optional<Row> r = find(localPort, remotePort);
      if (r.isPresent() && condition.test(r.get())) {
        return true;
      }
      if (System.nanoTime() >= end) {
        return false;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** Parses one data line of /proc/net/tcp or tcp6; null if it is not one. */
  public static Row parse(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length < 10 || !f[0].endsWith(":")) {
      return null;
    }
    try {
      String[] loc = f[1].split(":"),
          rem = f[2].split(":"),
          q = f[4].split(":"),
          tr = f[5].split(":");
      int timer = Integer.parseInt(tr[0], 16);
      return new Row(
          ip(loc[0]),
          Integer.parseInt(loc[1], 16),
          ip(rem[0]),
          Integer.parseInt(rem[1], 16),
          stateName(Integer.parseInt(f[3], 16)),
          Long.parseLong(q[0], 16),
          Long.parseLong(q[1], 16),
          timer < TIMERS.length ? TIMERS[timer] : "timer" + timer,
          (int) Long.parseLong(f[6], 16),
          Long.parseLong(f[9]),
          timer == 0 ? 0 : Long.parseLong(tr[1], 16) * 10); // clock ticks of USER_HZ (100)
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Decodes a /proc address: 8 hex digits (one little-endian u32) or 32 (four little-endian u32
   * words).
   */
  static String ip(String hex) {
    byte[] b = new byte[hex.length() / 2];
    for (int w = 0; w < b.length / 4; w++) {
      long v = Long.parseLong(hex.substring(w * 8, w * 8 + 8), 16);
      for (int i = 0; i < 4; i++) {
        b[w * 4 + i] = (byte) (v >>> (8 * i));
      }
    }
    if (b.length == 4) {
      return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
    }
    boolean mapped = b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    for (int i = 0; i < 10 && mapped; i++) {
      mapped = b[i] == 0;
    }
    if (mapped) {
      return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
    }
    return ipv6(b);
  }

  private static String ipv6(byte[] b) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    int bestStart = -1, bestLen = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(g[i]));
    }
    return s.toString();
  }

  /** Name of a TCP state number, 1 "ESTABLISHED" ... 11 "CLOSING". */
  public static String stateName(int st) {
    return TcpState.name(st);
  }
}
