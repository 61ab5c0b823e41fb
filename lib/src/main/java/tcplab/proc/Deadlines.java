package tcplab.proc;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** Blocking calls with a deadline: nothing in the lab waits forever. */
public final class Deadlines {
  private Deadlines() {}

  /** Accepts one connection within {@code millis}, or throws SocketTimeoutException. */
  public static SocketChannel accept(ServerSocketChannel listener, int millis) throws IOException {
    listener.configureBlocking(false);
    try (Selector selector = Selector.open()) {
      listener.register(selector, SelectionKey.OP_ACCEPT);
      long end = System.nanoTime() + millis * 1_000_000L;
      while (true) {
        SocketChannel ch = listener.accept();
        if (ch != null) {
          ch.configureBlocking(true);
          return ch;
        }
        long left = (end - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          throw new SocketTimeoutException("accept: no connection within " + millis + " ms");
        }
        selector.select(left);
        selector.selectedKeys().clear();
      }
    } finally {
      listener.configureBlocking(true);
    }
  }
}
