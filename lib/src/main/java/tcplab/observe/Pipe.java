package tcplab.observe;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A real pipe (pipe2 with O_CLOEXEC) that stands in for a program's standard input: the lab writes
 * lines into one end, the program under study reads the other end with read() and waits on it with
 * poll(), exactly as on a terminal's stdin. Both ends are closed by {@link #close()}.
 */
public final class Pipe implements AutoCloseable {
  private static final int O_CLOEXEC = 0x80000;
  private final int readFd;
  private final int writeFd;
  private boolean closed;

  private Pipe(int readFd, int writeFd) {
    this.readFd = readFd;
    this.writeFd = writeFd;
  }

  /** Opens a pipe; an IllegalStateException says why it could not. */
  public static Pipe open() {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    int[] fds = new int[2];
    CResult r = LibC.call(() -> LibC.C.pipe2(fds, O_CLOEXEC));
    if (r.failed()) {
      throw new IllegalStateException("pipe2() failed: " + r.text());
    }
    return new Pipe(fds[0], fds[1]);
  }

  /** The end a program reads (its "stdin"). */
  public int readFd() {
    return readFd;
  }

  /** write(writeFd, text): what the user types. */
  public CResult type(String text) {
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    return LibC.call(() -> LibC.C.write(writeFd, b, b.length));
  }

  /** read(readFd, buf, max): blocks until something was typed (or the write end closed). */
  public CRead read(int max) {
    byte[] buf = new byte[max];
    CResult r = LibC.call(() -> LibC.C.read(readFd, buf, max));
    return new CRead(r, r.value() > 0 ? Arrays.copyOf(buf, (int) r.value()) : new byte[0]);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      LibC.call(() -> LibC.C.close(writeFd));
      LibC.call(() -> LibC.C.close(readFd));
    }
  }
}
