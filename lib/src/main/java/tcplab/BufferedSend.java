package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Lesson 17, first claim: {@code write()} returning success only means "copied into my kernel's
 * send buffer". A receiver on 127.0.0.1 that never reads; a sender writing chunks until a write
 * would block, or until the deadline.
 */
public final class BufferedSend {
  private BufferedSend() {}

  /** Largest chunk a notebook may ask for (16 MiB). */
  public static final int MAX_CHUNK = 16 << 20;
  /** Largest socket buffer a notebook may ask for (64 MiB; Linux caps it lower anyway). */
  public static final int MAX_BUFFER = 64 << 20;
  /** Longest deadline a notebook may ask for (30 s). */
  public static final int MAX_DEADLINE_MS = 30_000;
  /** A run stops after this many writes even if none has blocked (keeps the table readable). */
  public static final int MAX_WRITES = 5_000;

  /** What one run observed. */
  public record Result(Table writes, long acceptedBytes, long peerReadBytes, String stoppedBecause,
      int sendBufferBytes, int receiveBufferBytes) {

    /** The lesson's point, in one sentence built from what just happened. */
    public String summary() {
      return String.format(
          "write() accepted %,d bytes in %d calls (%s), while the peer application read %,d bytes. "
              + "Socket buffers as the JDK reports them: sender SO_SNDBUF %,d, receiver SO_RCVBUF %,d.",
          acceptedBytes, writes.rowCount(), stoppedBecause, peerReadBytes, sendBufferBytes, receiveBufferBytes);
    }
  }

  /**
   * Runs the scenario.
   *
   * @param chunkBytes bytes per write, 1 .. 16 MiB
   * @param sendBufferBytes SO_SNDBUF asked of the sender, 0 = kernel default (auto-tuned)
   * @param receiveBufferBytes SO_RCVBUF asked of the receiver (set on the listener, so the window
   *     is small from the first segment), 0 = kernel default
   * @param deadlineMillis the run stops after this long even if no write has blocked, 1 .. 30000
   */
  public static Result run(int chunkBytes, int sendBufferBytes, int receiveBufferBytes, int deadlineMillis) {
    Check.range("chunkBytes", chunkBytes, 1, MAX_CHUNK, "bytes");
    Check.range("sendBufferBytes", sendBufferBytes, 0, MAX_BUFFER, "bytes (0 = kernel default)");
    Check.range("receiveBufferBytes", receiveBufferBytes, 0, MAX_BUFFER, "bytes (0 = kernel default)");
    Check.range("deadlineMillis", deadlineMillis, 1, MAX_DEADLINE_MS, "ms");

    IntColumn call = IntColumn.create("write #");
    IntColumn asked = IntColumn.create("bytes asked");
    IntColumn returned = IntColumn.create("returned");
    DoubleColumn at = DoubleColumn.create("t (ms)");
    LongColumn total = LongColumn.create("accepted so far");
    LongColumn peerRead = LongColumn.create("peer has read");
    StringColumn meaning = StringColumn.create("meaning");

    try (ServerSocketChannel listener = ServerSocketChannel.open()) {
      if (receiveBufferBytes > 0) {
        listener.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
      }
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (SocketChannel sender = SocketChannel.open()) {
        if (sendBufferBytes > 0) {
          sender.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
        }
        sender.socket().connect(listener.getLocalAddress(), deadlineMillis);
        try (SocketChannel receiver = Deadlines.accept(listener, deadlineMillis)) {
          sender.configureBlocking(false);
          ByteBuffer chunk = ByteBuffer.allocate(chunkBytes);
          long accepted = 0;
          long start = System.nanoTime();
          long end = start + deadlineMillis * 1_000_000L;
          String stop = "the deadline of " + deadlineMillis + " ms passed before any write would block";
          for (int i = 1; i <= MAX_WRITES; i++) {
            chunk.clear();
            int n = sender.write(chunk);
            long now = System.nanoTime();
            accepted += n;
            call.append(i);
            asked.append(chunkBytes);
            returned.append(n);
            at.append(Math.round((now - start) / 10_000.0) / 100.0);
            total.append(accepted);
            peerRead.append(0);
            meaning.append(n == chunkBytes ? "all copied to the send buffer"
                : n > 0 ? "short write: the buffer had room for part" : "would block: the buffer is full");
            if (n == 0) {
              stop = "write #" + i + " would block";
              break;
            }
            if (now > end) {
              break;
            }
            if (i == MAX_WRITES) {
              stop = MAX_WRITES + " writes without blocking; try a bigger chunkBytes";
            }
          }
          Table t = Table.create("writes to a peer that never reads", call, asked, returned, at, total, peerRead, meaning);
          return new Result(t, accepted, 0, stop,
              sender.getOption(StandardSocketOptions.SO_SNDBUF), receiver.getOption(StandardSocketOptions.SO_RCVBUF));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("buffered-send scenario failed: " + e, e);
    }
  }
}
