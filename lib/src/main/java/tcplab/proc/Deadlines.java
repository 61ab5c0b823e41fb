package tcplab.proc;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Blocking calls with a deadline: nothing in the lab waits forever. */
public final class Deadlines {
  private Deadlines() {}

  /**
   * Accepts one connection within {@code millis} of an idle machine's time ({@link Patience}), or
   * throws SocketTimeoutException.
   */
  public static SocketChannel accept(ServerSocketChannel listener, int millis) throws IOException {
    listener.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      listener.register(selector, SelectionKey.OP_ACCEPT);
      Patience patience = Patience.of(millis);
      while (true) {
        SocketChannel ch = listener.accept();
        if (ch != null) {
          ch.configureBlocking(true);
          return ch;
        }
        long left = patience.nextWaitMillis();
        if (left <= 0) {
          throw new SocketTimeoutException("accept: no connection within " + patience.describe());
        }
        selector.select(left);
        selector.selectedKeys().clear();
      }
    } finally {
      listener.configureBlocking(true);
    }
  }

  /**
   * Accepts one connection on a blocking listener within {@code millis} of an idle machine's time
   * ({@link Patience}), or throws SocketTimeoutException.
   */
  public static Socket accept(ServerSocket listener, int millis) throws IOException {
    Patience patience = Patience.of(millis);
    for (long left; (left = patience.nextWaitMillis()) > 0; ) {
      listener.setSoTimeout((int) left);
      try {
        return listener.accept();
      } catch (SocketTimeoutException e) {
        // ask the machine again
      }
    }
    throw new SocketTimeoutException("accept: no connection within " + patience.describe());
  }
}
