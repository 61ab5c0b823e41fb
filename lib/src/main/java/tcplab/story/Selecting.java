package tcplab.story;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tcplab.net.Timeline;

/** What the selector stories do the same way: a selector on the client's channel, as rows. */
final class Selecting implements AutoCloseable {
  final SocketChannel ch;
  final Selector sel;
  final SelectionKey key;
  private final Timeline tl;

  /** Puts the client's channel in non-blocking mode and registers it for OP_READ; one row. */
  Selecting(SocketChannel ch, Timeline tl) {
    this.ch = ch;
    this.tl = tl;
    try {
      sel = Selector.open();
      ch.configureBlocking(false);
      key = ch.register(sel, SelectionKey.OP_READ);
    } catch (IOException e) {
      throw new IllegalStateException("cannot register the channel: " + Timeline.text(e), e);
    }
    tl.add(
        tl.now(),
        "client",
        "configureBlocking(false); register(selector, OP_READ)",
        "interest " + ops(key.interestOps()));
  }

  /** "OP_READ|OP_WRITE", or "none" for 0. */
  static String ops(int ops) {
    List<String> o = new ArrayList<>();
    if ((ops & SelectionKey.OP_READ) != 0) {
      o.add("OP_READ");
    }
    if ((ops & SelectionKey.OP_WRITE) != 0) {
      o.add("OP_WRITE");
    }
    if ((ops & SelectionKey.OP_CONNECT) != 0) {
      o.add("OP_CONNECT");
    }
    if ((ops & SelectionKey.OP_ACCEPT) != 0) {
      o.add("OP_ACCEPT");
    }
    return o.isEmpty() ? "none" : String.join("|", o);
  }

  /** One select(millis): the number of ready keys, or -1 when select itself failed. */
  int select(long millis) {
    try {
      int n = sel.select(Math.max(1, millis));
      sel.selectedKeys().clear();
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  /** "readyOps = OP_READ" of the key after the last select. */
  String ready() {
    return "readyOps = " + (key.isValid() ? ops(key.readyOps()) : "(key cancelled)");
  }

  /** A non-blocking write of {@code data}: "16 (all of it)", or the exception. */
  String write(String data) {
    try {
      int n = ch.write(ByteBuffer.wrap(data.getBytes(StandardCharsets.US_ASCII)));
      return n + (n == data.length() ? " (all of it: nothing left unsent, so no OP_WRITE)" : "");
    } catch (IOException e) {
      return Timeline.text(e);
    }
  }

  /**
   * A non-blocking read: "-1 (end of stream)", "0 (nothing to read)", "n bytes" or the exception.
   */
  String read() {
    try {
      int n = ch.read(ByteBuffer.allocate(256));
      return n < 0 ? "-1 (end of stream)" : n == 0 ? "0 (nothing to read, no error)" : n + " bytes";
    } catch (IOException e) {
      return Timeline.text(e);
    }
  }

  /** Asks for OP_READ|OP_WRITE and reports what selectNow() says now: one row. */
  void both() {
    if (!key.isValid()) {
      return;
    }
    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    int n;
    try {
      n = sel.selectNow();
      sel.selectedKeys().clear();
    } catch (IOException e) {
      n = -1;
    }
    tl.add(tl.now(), "client", "interest OP_READ|OP_WRITE; selectNow()", n + " key(s), " + ready());
  }

  @Override
  public void close() {
    try {
      sel.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
