package tcplab.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tcplab.observe.CView;
import tcplab.observe.PollView;
import tcplab.observe.ProcNetTcp;

/**
 * A Java NIO {@link Selector} watching a non-blocking client {@link SocketChannel} while its peer
 * (a socket in this JVM, on loopback, closed with a real C close() on its fd, as the lesson's C
 * server does) ends the connection: what {@code select()} reports (readyOps), what C's poll() says
 * on the same fd at that moment, and what the following reads return.
 *
 * <p>A Java peer closes differently: {@code Socket.close()} calls shutdown(SHUT_WR) first when
 * SO_LINGER is not 0, so with unread data the wire carries FIN, then RST (see {@link
 * Ending#JAVA_CLOSE_UNREAD}).
 */
public final class SelectorRun {
  private SelectorRun() {}

  /** How the peer ends the connection. */
  public enum Ending {
    /** Nothing happens: the baseline. */
    NOTHING,
    /** The peer calls close() with nothing unread: FIN. */
    FIN,
    /** The client's bytes are unread when the peer calls close(): RST. */
    RST_UNREAD,
    /** The peer sets SO_LINGER {1, 0} and closes: RST. */
    RST_LINGER,
    /** A Java peer's Socket.close() with the client's bytes unread: FIN, then RST. */
    JAVA_CLOSE_UNREAD
  }

  /** How long the baseline waits for an event that must not come. */
  public static final int QUIET_MILLIS = 200;

  /**
   * What one run saw.
   *
   * @param select what select(OP_READ) returned and when
   * @param readyOps the key's readyOps with interest OP_READ
   * @param readyOpsBoth the key's readyOps after selectNow() with interest OP_READ | OP_WRITE
   * @param unknownBits readyOps bits that are none of OP_READ, OP_WRITE, OP_CONNECT, OP_ACCEPT
   * @param poll C's poll() on the channel's fd at that moment
   * @param read what the next read() returned
   * @param readAgain what the read() after it returned
   * @param selectMillis how long select() took
   */
  public record Outcome(
      Ending ending,
      String select,
      String readyOps,
      String readyOpsBoth,
      int unknownBits,
      String poll,
      String read,
      String readAgain,
      double selectMillis) {}

  /**
   * Plays one ending; every wait is bounded by {@code deadlineMillis}. Needs the C view (an
   * IllegalStateException says why it is missing).
   */
  public static Outcome play(Ending ending, int deadlineMillis) throws IOException {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket listener = new ServerSocket(0, 1, lo);
        SocketChannel ch = SocketChannel.open();
        Selector selector = Selector.open()) {
      ch.socket().connect(new InetSocketAddress(lo, listener.getLocalPort()), deadlineMillis);
      listener.setSoTimeout(deadlineMillis);
      try (Socket peer = listener.accept()) {
        int fd = CView.fdOf(ch);
        int peerFd = CView.fdOf(peer);
        ch.configureBlocking(false);
        SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
        switch (ending) {
          case FIN -> CView.closeLastReference(peerFd);
          case RST_UNREAD, JAVA_CLOSE_UNREAD -> {
            ch.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)));
            int client = ch.socket().getLocalPort();
            awaitUnread(peer.getLocalPort(), client, 3, deadlineMillis);
            if (ending == Ending.JAVA_CLOSE_UNREAD) {
              peer.close();
            } else {
              CView.closeLastReference(peerFd);
            }
          }
          case RST_LINGER -> {
            CView.lingerZero(peerFd);
            CView.closeLastReference(peerFd);
          }
          case NOTHING -> {}
        }
        int wait =
            ending == Ending.NOTHING ? Math.min(deadlineMillis, QUIET_MILLIS) : deadlineMillis;
        long t = System.nanoTime();
        int n = selector.select(wait);
        double ms = (System.nanoTime() - t) / 1e6;
        String select =
            n == 0
                ? "0: nothing within " + wait + " ms"
                : String.format(Locale.ROOT, "%d after %.1f ms", n, ms);
        int ops = n == 0 ? 0 : key.readyOps();
        selector.selectedKeys().clear();
        key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        int both = selector.selectNow() == 0 ? 0 : key.readyOps();
        selector.selectedKeys().clear();
        int known =
            SelectionKey.OP_READ
                | SelectionKey.OP_WRITE
                | SelectionKey.OP_CONNECT
                | SelectionKey.OP_ACCEPT;
        String poll = PollView.names(PollView.poll(fd));
        String read = ending == Ending.NOTHING ? "not called (nothing to read)" : read(ch);
        String again = ending == Ending.NOTHING ? "" : read(ch);
        return new Outcome(
            ending, select, ops(ops), ops(both), (ops | both) & ~known, poll, read, again, ms);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static void awaitUnread(int local, int remote, int bytes, int deadlineMillis)
      throws InterruptedException, IOException {
    boolean ok =
        Run.until(
            deadlineMillis,
            () -> ProcNetTcp.find(local, remote).map(r -> r.recvQ() >= bytes).orElse(false));
    if (!ok) {
      throw new IOException(
          "the peer's Recv-Q did not reach " + bytes + " bytes within " + deadlineMillis + " ms");
    }
  }

  private static String read(SocketChannel ch) {
    try {
      int n = ch.read(ByteBuffer.allocate(1024));
      return n < 0 ? "-1 (end of stream)" : Integer.toString(n);
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** "OP_READ | OP_WRITE", or "none". */
  public static String ops(int ops) {
    List<String> n = new ArrayList<>();
    if ((ops & SelectionKey.OP_READ) != 0) {
      n.add("OP_READ");
    }
    if ((ops & SelectionKey.OP_WRITE) != 0) {
      n.add("OP_WRITE");
    }
    if ((ops & SelectionKey.OP_CONNECT) != 0) {
      n.add("OP_CONNECT");
    }
    if ((ops & SelectionKey.OP_ACCEPT) != 0) {
      n.add("OP_ACCEPT");
    }
    return n.isEmpty() ? "none" : String.join(" | ", n);
  }
}
