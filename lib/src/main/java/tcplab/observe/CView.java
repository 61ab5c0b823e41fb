package tcplab.observe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.stream.Stream;

/**
 * Real libc calls (through JNA) on the file descriptor of a Java socket, so the lab can show what C
 * sees: raw return values and errno.
 *
 * <p>Blocking: {@link #recv(int, int, int)} and {@link #write(int, byte[])} block like C does. Use
 * the variants with a timeout (poll() first) in notebooks and tests. Java's {@code setSoTimeout(n >
 * 0)} switches the fd to O_NONBLOCK in JDK 17, so then a plain recv returns EAGAIN at once.
 *
 * <p>SIGPIPE: a failing write() raises SIGPIPE; HotSpot handles it, so the JVM survives and write
 * returns EPIPE.
 */
public final class CView {
  public static final int MSG_DONTWAIT = 0x40, MSG_NOSIGNAL = 0x4000;
  public static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
  static final int SOL_SOCKET = 1, SO_ERROR = 4, AF_INET = 2, AF_INET6 = 10;
  private static final short POLLIN = 0x1, POLLOUT = 0x4;
  private static final int O_RDWR = 2, O_CLOEXEC = 0x80000;

  private static final Map<Object, Integer> FD_CACHE =
      Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile Optional<String> reason;

  private CView() {}

  /**
   * Empty when CView works here (Linux, JNA loads libc, /proc/self/fd readable); else why not.
   * Never throws.
   */
  public static Optional<String> unavailableReason() {
    Optional<String> r = reason;
    if (r == null) {
      r = probe();
      reason = r;
    }
    return r;
  }

  private static Optional<String> probe() {
    try {
      String os = System.getProperty("os.name", "?");
      if (!os.toLowerCase().contains("linux")) {
        return Optional.of(
            "not observable here: " + os + " is not Linux (no /proc, other errno numbers)");
      }
      if (!Files.isReadable(Path.of("/proc/self/fd"))) {
        return Optional.of("not observable here: /proc/self/fd is not readable");
      }
      if (LibC.sizeTSize() != 8) {
        return Optional.of(
            "not observable here: only 64-bit Linux is supported by this libc mapping");
      }
      LibC.C.getClass(); // loads libc
      return Optional.empty();
    } catch (LinkageError e) {
      return Optional.of("not observable here: JNA could not load libc (" + e + ")");
    } catch (RuntimeException e) {
      return Optional.of("not observable here: " + e);
    }
  }

  private static LibC lib() {
    unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    return LibC.C;
  }

  /**
   * The int fd of a connected java.net.Socket (found via /proc/self/fd + getsockname/getpeername).
   */
  public static int fdOf(Socket s) {
    if (!s.isConnected() || s.isClosed()) {
      throw new IllegalStateException("fdOf needs a connected, open socket: " + s);
    }
    return FD_CACHE.computeIfAbsent(
        s,
        k ->
            find(
                new InetSocketAddress(s.getLocalAddress(), s.getLocalPort()),
                new InetSocketAddress(s.getInetAddress(), s.getPort())));
  }

  /**
   * The int fd of a connected SocketChannel (found via /proc/self/fd + getsockname/getpeername).
   */
  public static int fdOf(SocketChannel ch) {
    try {
      SocketAddress local = ch.getLocalAddress(), remote = ch.getRemoteAddress();
      if (local == null || remote == null) {
        throw new IllegalStateException("fdOf needs a connected channel: " + ch);
      }
      return FD_CACHE.computeIfAbsent(ch, k -> find(local, remote));
    } catch (IOException e) {
      throw new IllegalStateException("fdOf needs an open channel: " + e.getMessage(), e);
    }
  }

  private static int find(SocketAddress local, SocketAddress remote) {
    lib();
    List<Integer> socketFds = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      fds.forEach(
          p -> {
            try {
              if (Files.readSymbolicLink(p).toString().startsWith("socket:[")) {
                socketFds.add(Integer.parseInt(p.getFileName().toString()));
              }
            } catch (IOException | NumberFormatException ignored) {
              // fd went away while listing (e.g. the directory stream itself)
            }
          });
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc/self/fd: " + e.getMessage(), e);
    }
    for (int fd : socketFds) {
      if (local.equals(address(LibC.sockaddr(fd, false)))
          && remote.equals(address(LibC.sockaddr(fd, true)))) {
        return fd;
      }
    }
    throw new IllegalStateException(
        "no socket fd in /proc/self/fd has local "
            + local
            + " and remote "
            + remote
            + " (closed, or created in another network namespace?)");
  }

  /**
   * Decodes a raw sockaddr_in / sockaddr_in6 (v4-mapped becomes a plain IPv4 address); null if
   * neither.
   */
  static InetSocketAddress address(byte[] sa) {
    if (sa == null || sa.length < 8) {
      return null;
    }
    int family = ByteBuffer.wrap(sa).order(ByteOrder.nativeOrder()).getShort(0) & 0xffff;
    int port = ((sa[2] & 0xff) << 8) | (sa[3] & 0xff);
    try {
      if (family == AF_INET) {
        return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sa, 4, 8)), port);
      }
      if (family == AF_INET6 && sa.length >= 24) {
        return new InetSocketAddress(InetAddress.getByAddress(Arrays.copyOfRange(sa, 8, 24)), port);
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /**
   * C write(fd, data, len): plain write, so EPIPE comes with SIGPIPE (which the JVM survives).
   * Blocks when the send buffer is full.
   */
  public static CResult write(int fd, byte[] data) {
    LibC c = lib();
    return LibC.call(() -> c.write(fd, data, data.length));
  }

  /**
   * poll(POLLOUT, timeout) then a plain write(); -1 EAGAIN on timeout. Still blocks if data exceeds
   * the free space: use small data.
   */
  public static CResult write(int fd, byte[] data, long timeoutMillis) {
    CResult p = poll(fd, POLLOUT, timeoutMillis);
    return p.failed() ? p : p.value() == 0 ? new CResult(-1, CResult.EAGAIN) : write(fd, data);
  }

  /** C send(fd, data, len, flags), e.g. flags MSG_NOSIGNAL or MSG_DONTWAIT. */
  public static CResult send(int fd, byte[] data, int flags) {
    LibC c = lib();
    return LibC.call(() -> c.send(fd, data, data.length, flags));
  }

  /** C recv(fd, buf, max, flags); blocks like C unless flags has MSG_DONTWAIT. */
  public static CRead recv(int fd, int max, int flags) {
    LibC c = lib();
    byte[] buf = new byte[max];
    CResult r = LibC.call(() -> c.recv(fd, buf, max, flags));
    return new CRead(r, r.value() > 0 ? Arrays.copyOf(buf, (int) r.value()) : new byte[0]);
  }

  /**
   * poll(POLLIN, timeout) then recv(flags | MSG_DONTWAIT); returns -1 EAGAIN when nothing happened
   * in time.
   */
  public static CRead recv(int fd, int max, int flags, long timeoutMillis) {
    CResult p = poll(fd, POLLIN, timeoutMillis);
    if (p.failed()) {
      return new CRead(p, new byte[0]);
    }
    if (p.value() == 0) {
      return new CRead(new CResult(-1, CResult.EAGAIN), new byte[0]);
    }
    return recv(fd, max, flags | MSG_DONTWAIT);
  }

  /**
   * C poll() on one fd for {@code events}; value is 0 on timeout, 1 when ready (also on
   * error/hangup). EINTR is retried.
   */
  public static CResult poll(int fd, short events, long timeoutMillis) {
    LibC c = lib();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (true) {
      ByteBuffer pfd =
          ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(fd).putShort(events);
      long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
      CResult r = LibC.call(() -> c.poll(pfd.array(), 1, (int) Math.min(left, Integer.MAX_VALUE)));
      if (r.errno() != CResult.EINTR) {
        return r;
      }
    }
  }

  /** C shutdown(fd, how) with SHUT_RD, SHUT_WR or SHUT_RDWR. */
  public static CResult shutdown(int fd, int how) {
    LibC c = lib();
    return LibC.call(() -> c.shutdown(fd, how));
  }

  /**
   * C close(fd). The Java socket object does not know: close it from Java only if you did not do
   * this.
   */
  public static CResult close(int fd) {
    LibC c = lib();
    return LibC.call(() -> c.close(fd));
  }

  /** getsockopt(SOL_SOCKET, SO_ERROR): the pending error (0 if none); reading it clears it. */
  public static int soError(int fd) {
    lib();
    byte[] v = LibC.getsockopt(fd, SOL_SOCKET, SO_ERROR, 4);
    if (v == null || v.length < 4) {
      throw new IllegalStateException("getsockopt(SO_ERROR) failed on fd " + fd);
    }
    return ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt();
  }

  /**
   * In-process stand-in for a crash: dup2(open("/dev/null"), fd) drops the socket's last reference
   * exactly as the kernel does at process exit (RST if unread data, else FIN), while the Java
   * object keeps a harmless fd (closing it later from Java just closes /dev/null).
   */
  public static void crashClose(int fd) {
    LibC c = lib();
    CResult nul = LibC.call(() -> c.open("/dev/null", O_RDWR | O_CLOEXEC));
    if (nul.failed()) {
      throw new IllegalStateException("open(/dev/null) failed: " + nul.text());
    }
    CResult d = LibC.call(() -> c.dup2((int) nul.value(), fd));
    LibC.call(() -> c.close((int) nul.value()));
    if (d.failed()) {
      throw new IllegalStateException("dup2(/dev/null, " + fd + ") failed: " + d.text());
    }
  }

  /**
   * C close() on the socket's last reference, without leaving the Java object a stale fd number:
   * the socket is first duplicated (fcntl F_DUPFD_CLOEXEC), /dev/null is put in place of {@code
   * fd}, then the duplicate is closed with a real close(). The kernel then sends FIN (or RST with
   * unread data) exactly as after C's close().
   */
  public static CResult closeLastReference(int fd) {
    LibC c = lib();
    CResult dup = LibC.call(() -> c.fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0));
    if (dup.failed()) {
      return dup;
    }
    crashClose(fd);
    return LibC.call(() -> c.close((int) dup.value()));
  }

  /**
   * setsockopt(SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}): the next close() sends RST instead
   * of FIN.
   */
  public static CResult lingerZero(int fd) {
    LibC c = lib();
    byte[] linger =
        ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(1).putInt(0).array();
    return LibC.call(() -> c.setsockopt(fd, SOL_SOCKET, 13 /* SO_LINGER */, linger, linger.length));
  }
}
