package tcplab.observe;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the kernel says a socket is ready for, asked the way a C program asks: {@code poll()} with a
 * timeout of 0 on the fd, and {@code epoll_wait()} (timeout 0, level-triggered) on a fresh epoll
 * instance that holds only that fd. Both ask for {@code POLLIN | POLLOUT | POLLRDHUP}; {@code
 * POLLERR} and {@code POLLHUP} are always reported. The event bits are the same numbers in poll and
 * epoll.
 */
public final class PollView {
  public static final int IN = 0x1, PRI = 0x2, OUT = 0x4, ERR = 0x8, HUP = 0x10, NVAL = 0x20;
  public static final int RDHUP = 0x2000;
  static final int ASKED = IN | OUT | RDHUP;
  private static final int EPOLL_CLOEXEC = 0x80000, EPOLL_CTL_ADD = 1;

  private PollView() {}

  /** poll({fd, POLLIN|POLLOUT|POLLRDHUP}, 1, 0): the revents bits, or -1 when poll() failed. */
  public static int poll(int fd) {
    LibC c = lib();
    byte[] pfd =
        ByteBuffer.allocate(8)
            .order(ByteOrder.nativeOrder())
            .putInt(fd)
            .putShort((short) ASKED)
            .array();
    CResult r;
    do {
      r = LibC.call(() -> c.poll(pfd, 1, 0));
    } while (r.errno() == CResult.EINTR);
    if (r.failed()) {
      return -1;
    }
    return ByteBuffer.wrap(pfd).order(ByteOrder.nativeOrder()).getShort(6) & 0xffff;
  }

  /**
   * epoll_create1, epoll_ctl(ADD, fd, EPOLLIN|EPOLLOUT|EPOLLRDHUP), epoll_wait(timeout 0), close:
   * the events bits (0 when epoll_wait returned 0), or -1 when a call failed.
   */
  public static int epoll(int fd) {
    LibC c = lib();
    CResult ep = LibC.call(() -> c.epoll_create1(EPOLL_CLOEXEC));
    if (ep.failed()) {
      return -1;
    }
    int epfd = (int) ep.value();
    try {
      byte[] ev = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(ASKED).array();
      if (LibC.call(() -> c.epoll_ctl(epfd, EPOLL_CTL_ADD, fd, ev)).failed()) {
        return -1;
      }
      byte[] out = new byte[16];
      CResult n;
      do {
        n = LibC.call(() -> c.epoll_wait(epfd, out, 1, 0));
      } while (n.errno() == CResult.EINTR);
      if (n.failed()) {
        return -1;
      }
      return n.value() == 0 ? 0 : ByteBuffer.wrap(out).order(ByteOrder.nativeOrder()).getInt(0);
    } finally {
      LibC.call(() -> c.close(epfd));
    }
  }

  /**
   * poll() on several fds for {@code POLLIN | POLLRDHUP}, waiting at most {@code timeoutMillis}
   * (EINTR is retried with the time left): each fd's revents (all 0 on timeout), or null when
   * poll() failed.
   */
  public static int[] pollIn(long timeoutMillis, int... fds) {
    LibC c = lib();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    ByteBuffer b = ByteBuffer.allocate(8 * fds.length).order(ByteOrder.nativeOrder());
    for (int fd : fds) {
      b.putInt(fd).putShort((short) (IN | RDHUP)).putShort((short) 0);
    }
    byte[] pfds = b.array();
    CResult r;
    do {
      long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
      r = LibC.call(() -> c.poll(pfds, fds.length, (int) Math.min(left, Integer.MAX_VALUE)));
    } while (r.errno() == CResult.EINTR);
    if (r.failed()) {
      return null;
    }
    ByteBuffer out = ByteBuffer.wrap(pfds).order(ByteOrder.nativeOrder());
    int[] revents = new int[fds.length];
    for (int i = 0; i < fds.length; i++) {
      revents[i] = out.getShort(8 * i + 6) & 0xffff;
    }
    return revents;
  }

  /** "IN OUT RDHUP" (the names without the POLL prefix), "none" for 0, "?" for -1. */
  public static String names(int events) {
    if (events < 0) {
      return "?";
    }
    List<String> n = new ArrayList<>();
    add(n, events, IN, "IN");
    add(n, events, PRI, "PRI");
    add(n, events, OUT, "OUT");
    add(n, events, ERR, "ERR");
    add(n, events, HUP, "HUP");
    add(n, events, RDHUP, "RDHUP");
    add(n, events, NVAL, "NVAL");
    int known = IN | PRI | OUT | ERR | HUP | RDHUP | NVAL;
    if ((events & ~known) != 0) {
      n.add("0x" + Integer.toHexString(events & ~known));
    }
    return n.isEmpty() ? "none" : String.join(" ", n);
  }

  private static void add(List<String> n, int events, int bit, String name) {
    if ((events & bit) != 0) {
      n.add(name);
    }
  }

  private static LibC lib() {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    return LibC.C;
  }
}
