package tcplab.observe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * The libc functions the lab calls, mapped with a JNA interface (Linux, LP64: size_t = ssize_t =
 * long).
 *
 * <p>Errno: every method declares {@code throws LastErrorException}, so JNA reads errno in native
 * code right after the call and throws; {@link #call} turns that into a {@link CResult} {@code (-1,
 * errno)}. Nothing in the JVM can overwrite errno in between. Variadic functions (open, ioctl) are
 * mapped with fixed arguments, which is safe on x86_64 and aarch64 Linux.
 *
 * <p>Only classes in this package touch JNA types, so a missing JNA jar shows up as a {@link
 * LinkageError} that {@link CView#unavailableReason()} catches.
 */
public interface LibC extends Library {
  /** The loaded C library; loading it (first touch of this field) may throw a LinkageError. */
  LibC C = Native.load("c", LibC.class);

  long write(int fd, byte[] buf, long count) throws LastErrorException;

  long read(int fd, byte[] buf, long count) throws LastErrorException;

  long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  long recv(int fd, byte[] buf, long len, int flags) throws LastErrorException;

  int shutdown(int fd, int how) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  int getsockopt(int fd, int level, int name, byte[] val, IntByReference len)
      throws LastErrorException;

  int setsockopt(int fd, int level, int name, byte[] val, int len) throws LastErrorException;

  int ioctl(int fd, long request, IntByReference arg) throws LastErrorException;

  int getsockname(int fd, byte[] addr, IntByReference len) throws LastErrorException;

  int getpeername(int fd, byte[] addr, IntByReference len) throws LastErrorException;

  int dup2(int oldfd, int newfd) throws LastErrorException;

  int fcntl(int fd, int cmd, int arg) throws LastErrorException;

  int setns(int fd, int nstype) throws LastErrorException;

  int open(String path, int flags) throws LastErrorException;

  /**
   * {@code fds} is an array of struct pollfd (8 bytes each: int fd, short events, short revents).
   */
  int poll(byte[] fds, long nfds, int timeoutMillis) throws LastErrorException;

  /** pipe2(fds, flags): fds[0] is the read end, fds[1] the write end. */
  int pipe2(int[] fds, int flags) throws LastErrorException;

  int epoll_create1(int flags) throws LastErrorException;

  /**
   * {@code event} is a struct epoll_event: uint32 events, then 8 bytes of data (packed at offset 4
   * on x86_64, at offset 8 on aarch64); the lab leaves the data 0.
   */
  int epoll_ctl(int epfd, int op, int fd, byte[] event) throws LastErrorException;

  /** {@code events} holds maxevents struct epoll_event (16 bytes each is enough on every arch). */
  int epoll_wait(int epfd, byte[] events, int maxevents, int timeoutMillis)
      throws LastErrorException;

  /**
   * Returns 0 or an error number (it does not set errno); {@code set}/{@code old} are 128-byte
   * sigset_t, old may be null.
   */
  int pthread_sigmask(int how, byte[] set, byte[] old);

  /** Runs one libc call and returns its value, or {@code (-1, errno)} when it failed. */
  static CResult call(LongSupplier libcCall) {
    try {
      return new CResult(libcCall.getAsLong(), 0);
    } catch (LastErrorException e) {
      return new CResult(-1, e.getErrorCode());
    }
  }

  /**
   * getsockopt into a fresh buffer of {@code size} bytes; returns the bytes the kernel filled, or
   * null on error.
   */
  static byte[] getsockopt(int fd, int level, int name, int size) {
    byte[] buf = new byte[size];
    IntByReference len = new IntByReference(size);
    CResult r = call(() -> C.getsockopt(fd, level, name, buf, len));
    if (r.failed()) {
      return null;
    }
    return Arrays.copyOf(buf, Math.min(size, len.getValue()));
  }

  /** ioctl with an int out-argument; returns the int, or -1 on error. */
  static long ioctlInt(int fd, long request) {
    IntByReference v = new IntByReference();
    CResult r = call(() -> C.ioctl(fd, request, v));
    return r.failed() ? -1 : v.getValue();
  }

  /**
   * getsockname (peer=false) or getpeername (peer=true) into a raw sockaddr buffer; null on error.
   */
  static byte[] sockaddr(int fd, boolean peer) {
    byte[] buf = new byte[128];
    IntByReference len = new IntByReference(buf.length);
    CResult r = call(() -> peer ? C.getpeername(fd, buf, len) : C.getsockname(fd, buf, len));
    return r.failed() ? null : Arrays.copyOf(buf, Math.min(buf.length, len.getValue()));
  }

  /** Size of size_t in bytes, as JNA sees it (must be 8 for this mapping). */
  static int sizeTSize() {
    return Native.SIZE_T_SIZE;
  }
}
