package tcplab.observe;

import java.util.Map;

/**
 * The C view of one libc call: {@code value} is what libc returned, {@code errno} is 0 on success.
 *
 * @param value the raw return value (-1 on failure)
 * @param errno the Linux errno, 0 when the call succeeded
 */
public record CResult(long value, int errno) {
  public static final int EINTR = 4,
      EBADF = 9,
      EAGAIN = 11,
      EINVAL = 22,
      EPIPE = 32,
      ENOTSOCK = 88,
      ECONNRESET = 104,
      ENOTCONN = 107,
      ETIMEDOUT = 110,
      ECONNREFUSED = 111,
      EHOSTUNREACH = 113;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(1, "EPERM"),
          Map.entry(2, "ENOENT"),
          Map.entry(4, "EINTR"),
          Map.entry(9, "EBADF"),
          Map.entry(11, "EAGAIN"),
          Map.entry(12, "ENOMEM"),
          Map.entry(13, "EACCES"),
          Map.entry(14, "EFAULT"),
          Map.entry(22, "EINVAL"),
          Map.entry(23, "ENFILE"),
          Map.entry(24, "EMFILE"),
          Map.entry(25, "ENOTTY"),
          Map.entry(32, "EPIPE"),
          Map.entry(88, "ENOTSOCK"),
          Map.entry(89, "EDESTADDRREQ"),
          Map.entry(90, "EMSGSIZE"),
          Map.entry(92, "ENOPROTOOPT"),
          Map.entry(95, "EOPNOTSUPP"),
          Map.entry(98, "EADDRINUSE"),
          Map.entry(99, "EADDRNOTAVAIL"),
          Map.entry(100, "ENETDOWN"),
          Map.entry(101, "ENETUNREACH"),
          Map.entry(103, "ECONNABORTED"),
          Map.entry(104, "ECONNRESET"),
          Map.entry(105, "ENOBUFS"),
          Map.entry(106, "EISCONN"),
          Map.entry(107, "ENOTCONN"),
          Map.entry(108, "ESHUTDOWN"),
          Map.entry(110, "ETIMEDOUT"),
          Map.entry(111, "ECONNREFUSED"),
          Map.entry(112, "EHOSTDOWN"),
          Map.entry(113, "EHOSTUNREACH"),
          Map.entry(114, "EALREADY"),
          Map.entry(115, "EINPROGRESS"));

  /** True when the call failed (errno is set). */
  public boolean failed() {
    return errno != 0;
  }

  /** The symbolic Linux name of errno, e.g. "ECONNRESET"; "E?n" if unknown, "" on success. */
  public String errnoName() {
    return errnoName(errno);
  }

  /** The symbolic Linux name of an errno number; "E?n" if unknown, "" for 0. */
  public static String errnoName(int errno) {
    return errno == 0 ? "" : NAMES.getOrDefault(errno, "E?" + errno);
  }

  /** What a C programmer would log: "5", or "-1 ECONNRESET (104)". */
  public String text() {
    return failed() ? value + " " + errnoName() + " (" + errno + ")" : Long.toString(value);
  }

  @Override
  public String toString() {
    return text();
  }
}
