package tcplab.observe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * A snapshot of the kernel's struct tcp_info for one socket (getsockopt IPPROTO_TCP, TCP_INFO),
 * plus the queue ioctls. Offsets were checked with offsetof on Linux 6.x; a field the kernel did
 * not fill is -1.
 *
 * @param state TCP state number (1 ESTABLISHED ... 11 CLOSING), see {@link #stateName()}
 * @param retransmits retransmissions of the current unacked segment (tcpi_retransmits)
 * @param backoff exponential backoff count of the RTO (tcpi_backoff)
 * @param rtoMicros current retransmission timeout in µs
 * @param unacked segments sent but not yet acknowledged
 * @param rttMicros smoothed round-trip time in µs
 * @param totalRetrans retransmitted segments over the connection's life
 * @param bytesAcked bytes acknowledged by the peer
 * @param notsentBytes bytes in the send queue not yet sent
 * @param bytesSent bytes sent, including retransmissions
 * @param sndWnd the peer's advertised receive window in bytes
 * @param probes zero-window probes sent without an answer since the last ACK (tcpi_probes; the
 *     abort check counts these against tcp_retries2)
 */
public record TcpInfo(
    int state,
    int retransmits,
    int backoff,
    long rtoMicros,
    long unacked,
    long rttMicros,
    long totalRetrans,
    long bytesAcked,
    long notsentBytes,
    long bytesSent,
    long sndWnd,
    int probes) {
  static final int IPPROTO_TCP = 6, TCP_INFO = 11, TCP_USER_TIMEOUT = 18;
  static final long SIOCINQ = 0x541B, SIOCOUTQ = 0x5411, SIOCOUTQNSD = 0x894B;

  /** Reads TCP_INFO of fd; empty if CView is unavailable or getsockopt fails. */
  public static Optional<TcpInfo> of(int fd) {
    if (CView.unavailableReason().isPresent()) {
      return Optional.empty();
    }
    byte[] raw = LibC.getsockopt(fd, IPPROTO_TCP, TCP_INFO, 256);
    if (raw == null || raw.length < 8) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    return Optional.of(
        new TcpInfo(
            b.get(0) & 0xff,
            b.get(2) & 0xff,
            b.get(4) & 0xff,
            u32(b, 8),
            u32(b, 24),
            u32(b, 68),
            u32(b, 100),
            u64(b, 120),
            u32(b, 144),
            u64(b, 200),
            u32(b, 228),
            b.get(3) & 0xff));
  }

  /**
   * Data segments this socket has sent and received (tcpi_data_segs_out, tcpi_data_segs_in, Linux
   * 4.6+), as {out, in}; {-1, -1} when TCP_INFO cannot be read.
   */
  public static long[] dataSegments(int fd) {
    if (CView.unavailableReason().isPresent()) {
      return new long[] {-1, -1};
    }
    byte[] raw = LibC.getsockopt(fd, IPPROTO_TCP, TCP_INFO, 256);
    if (raw == null) {
      return new long[] {-1, -1};
    }
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
    return new long[] {u32(b, 156), u32(b, 152)};
  }

  private static long u32(ByteBuffer b, int off) {
    return off + 4 <= b.limit() ? b.getInt(off) & 0xffffffffL : -1;
  }

  private static long u64(ByteBuffer b, int off) {
    return off + 8 <= b.limit() ? b.getLong(off) : -1;
  }

  /** The state's name as in ss and /proc/net/tcp, e.g. "ESTABLISHED". */
  public String stateName() {
    return ProcNetTcp.stateName(state);
  }

  /** SIOCOUTQ: bytes in the send queue, unacked + unsent (ss Send-Q); -1 on error. */
  public static long outq(int fd) {
    return ioctl(fd, SIOCOUTQ);
  }

  /** SIOCOUTQNSD: bytes in the send queue not yet sent; -1 on error. */
  public static long outqNotSent(int fd) {
    return ioctl(fd, SIOCOUTQNSD);
  }

  /** SIOCINQ: bytes received but not read by the application (ss Recv-Q); -1 on error. */
  public static long inq(int fd) {
    return ioctl(fd, SIOCINQ);
  }

  private static long ioctl(int fd, long request) {
    if (CView.unavailableReason().isPresent()) {
      return -1;
    }
    return LibC.ioctlInt(fd, request);
  }

  /**
   * setsockopt(IPPROTO_TCP, TCP_USER_TIMEOUT, millis): give up (ETIMEDOUT) when data stays unacked
   * this long.
   */
  public static CResult setUserTimeout(int fd, int millis) {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(millis).array();
    return LibC.call(() -> LibC.C.setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, v, 4));
  }

  /**
   * One line for notebooks, e.g. "ESTABLISHED rto=204ms rtt=0.03ms unacked=0 retrans=0/0 backoff=0
   * ...".
   */
  public String text() {
    return String.format(
        "%s rto=%dms rtt=%.2fms unacked=%d retrans=%d/%d backoff=%d acked=%d sent=%d "
            + "notsent=%d snd_wnd=%d probes=%d",
        stateName(),
        rtoMicros / 1000,
        rttMicros / 1000.0,
        unacked,
        retransmits,
        totalRetrans,
        backoff,
        bytesAcked,
        bytesSent,
        notsentBytes,
        sndWnd,
        probes);
  }
}
