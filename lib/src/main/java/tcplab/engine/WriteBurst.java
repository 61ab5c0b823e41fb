package tcplab.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.TcpInfo;
import tcplab.proc.ChildJvm;
import tcplab.proc.Daemons;

/**
 * Writes are not segments (plumbing of {@code BufferedSend.writesAreNotSegments}): one connection
 * on 127.0.0.1 per pass, {@code n} small newline-terminated messages written back to back with one
 * {@code write()} each, with or without TCP_NODELAY, to a reader that reads at once or sleeps
 * first. Per pass: the data segments on the wire (captured, and counted by the sender's kernel in
 * TCP_INFO), and the sizes the reader's {@code read()} calls returned.
 *
 * <p>Runs where it is called: the API chooses this JVM or the private host ({@link #playInChild}),
 * and the result travels as text ({@link #encode}, {@link #decode}).
 */
public final class WriteBurst {
  private WriteBurst() {}

  /** One pass as it happened. */
  public record Pass(
      boolean noDelay,
      int readerPauseMillis,
      List<Integer> writeSizes,
      List<Integer> segmentSizes, // data segments client -> server; null without capture
      double segmentSpanMillis, // from the first data segment to the last; -1 without capture
      long dataSegmentsOut, // TCP_INFO tcpi_data_segs_out; -1 when not readable
      List<Integer> readSizes,
      double writeMillis,
      String captureNote) { // why segmentSizes is null, else null

    /** True when the segments were captured. */
    public boolean captured() {
      return segmentSizes != null;
    }
  }

  /** The i-th message (1-based): one SQL statement and a newline. */
  public static String message(int i) {
    return "INSERT INTO orders VALUES (" + i + ", 'item " + i + "');\n";
  }

  /**
   * Plays one pass: {@code n} messages, TCP_NODELAY on or off, the reader sleeping {@code
   * readerPauseMillis} before its first read, reading at most {@code readBufferBytes} per read.
   */
  public static Pass pass(
      int n, boolean noDelay, int readerPauseMillis, int readBufferBytes, int deadlineMillis) {
    List<Integer> writes = new ArrayList<>();
    List<Integer> reads = Collections.synchronizedList(new ArrayList<>());
    String note = Capture.unavailableReason().orElse(null);
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setSoTimeout(deadlineMillis);
      int port = listener.getLocalPort();
      Capture cap = null;
      if (note == null) {
        try {
          cap = Capture.start("lo", port);
        } catch (RuntimeException e) {
          note = e.getMessage();
        }
      }
      try (Socket client = new Socket()) {
        client.setTcpNoDelay(noDelay);
        client.connect(listener.getLocalSocketAddress(), deadlineMillis);
        int clientPort = client.getLocalPort();
        try (Socket server = listener.accept()) {
          server.setSoTimeout(deadlineMillis);
          InputStream in = server.getInputStream();
          Thread reader =
              Daemons.start(
                  "tcplab-slow-reader",
                  () -> {
                    try {
                      if (readerPauseMillis > 0) {
                        Thread.sleep(readerPauseMillis);
                      }
                      byte[] buf = new byte[readBufferBytes];
                      for (int r; (r = in.read(buf)) > 0; ) {
                        reads.add(r);
                      }
                    } catch (IOException | InterruptedException e) {
                      // the deadline (SO_TIMEOUT) or the end of the pass: the sizes so far count
                    }
                  });
          OutputStream out = client.getOutputStream();
          long t0 = System.nanoTime();
          for (int i = 1; i <= n; i++) {
            byte[] m = message(i).getBytes(StandardCharsets.US_ASCII);
            out.write(m); // one write() system call each (SocketOutputStream has no buffer)
            writes.add(m.length);
          }
          double writeMillis = (System.nanoTime() - t0) / 1e6;
          int total = writes.stream().mapToInt(Integer::intValue).sum();
          if (CView.unavailableReason().isEmpty()) { // every byte sent (and ACKed) before counting
            int fd = CView.fdOf(client);
            Run.until(deadlineMillis, () -> TcpInfo.outq(fd) <= 0);
          }
          long segsOut = dataSegmentsOut(client);
          client.shutdownOutput(); // FIN: the reader's last read() returns -1
          reader.join(deadlineMillis + (long) readerPauseMillis);
          reader.interrupt();
          List<Integer> segments = null;
          double span = -1;
          if (cap != null) {
            List<Capture.Packet> packets = cap.stop();
            segments = new ArrayList<>();
            for (Capture.Packet p : packets) {
              if (p.srcPort() == clientPort && p.dstPort() == port && p.length() > 0) {
                segments.add(p.length());
              }
            }
          }
          if (reads.stream().mapToInt(Integer::intValue).sum() != total) {
            throw new IllegalStateException(
                "the reader got "
                    + reads.stream().mapToInt(Integer::intValue).sum()
                    + " of "
                    + total
                    + " bytes within "
                    + deadlineMillis
                    + " ms.");
          }
          if (segments != null && !segments.isEmpty()) {
            span = (lastSeen(cap, clientPort, port) - firstSeen(cap, clientPort, port)) * 1000;
          }
          return new Pass(
              noDelay,
              readerPauseMillis,
              List.copyOf(writes),
              segments == null ? null : List.copyOf(segments),
              span,
              segsOut,
              List.copyOf(reads),
              writeMillis,
              note);
        }
      } finally {
        if (cap != null) {
          cap.close();
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("the writes-and-segments run failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("the writes-and-segments run was interrupted.");
    }
  }

  private static double firstSeen(Capture cap, int from, int to) {
    return cap.stop().stream()
        .filter(p -> p.srcPort() == from && p.dstPort() == to && p.length() > 0)
        .mapToDouble(Capture.Packet::epochSeconds)
        .min()
        .orElse(0);
  }

  private static double lastSeen(Capture cap, int from, int to) {
    return cap.stop().stream()
        .filter(p -> p.srcPort() == from && p.dstPort() == to && p.length() > 0)
        .mapToDouble(Capture.Packet::epochSeconds)
        .max()
        .orElse(0);
  }

  private static long dataSegmentsOut(Socket s) {
    try {
      return TcpInfo.dataSegments(CView.fdOf(s))[0];
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The four passes: Nagle on and off, reader at once and after a pause. */
  public static List<Pass> play(
      int n, int readerPauseMillis, int readBufferBytes, int deadlineMillis) {
    List<Pass> passes = new ArrayList<>();
    for (int pause : new int[] {0, readerPauseMillis}) {
      for (boolean noDelay : new boolean[] {false, true}) {
        passes.add(pass(n, noDelay, pause, readBufferBytes, deadlineMillis));
      }
    }
    return passes;
  }

  /** Called by the private host: payload "n pause readBuffer deadline". */
  static String playInChild(String payload, Consumer<String> emit) {
    String[] f = payload.split(" ");
    return encode(
        play(
            Integer.parseInt(f[0]),
            Integer.parseInt(f[1]),
            Integer.parseInt(f[2]),
            Integer.parseInt(f[3])));
  }

  /** The passes as text, one line each. */
  public static String encode(List<Pass> passes) {
    StringBuilder b = new StringBuilder();
    for (Pass p : passes) {
      b.append(p.noDelay())
          .append('\t')
          .append(p.readerPauseMillis())
          .append('\t')
          .append(ints(p.writeSizes()))
          .append('\t')
          .append(p.segmentSizes() == null ? "none" : ints(p.segmentSizes()))
          .append('\t')
          .append(p.segmentSpanMillis())
          .append('\t')
          .append(p.dataSegmentsOut())
          .append('\t')
          .append(ints(p.readSizes()))
          .append('\t')
          .append(p.writeMillis())
          .append('\t')
          .append(p.captureNote() == null ? "\\0" : ChildJvm.esc(p.captureNote()))
          .append('\n');
    }
    return b.toString();
  }

  /** The passes back from {@link #encode}. */
  public static List<Pass> decode(String text) {
    List<Pass> passes = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      passes.add(
          new Pass(
              Boolean.parseBoolean(f[0]),
              Integer.parseInt(f[1]),
              ints(f[2]),
              f[3].equals("none") ? null : ints(f[3]),
              Double.parseDouble(f[4]),
              Long.parseLong(f[5]),
              ints(f[6]),
              Double.parseDouble(f[7]),
              f[8].equals("\\0") ? null : ChildJvm.unesc(f[8])));
    }
    return passes;
  }

  private static String ints(List<Integer> xs) {
    StringBuilder b = new StringBuilder();
    for (int x : xs) {
      b.append(b.length() == 0 ? "" : ",").append(x);
    }
    return b.toString();
  }

  private static List<Integer> ints(String s) {
    List<Integer> xs = new ArrayList<>();
    if (!s.isEmpty()) {
      for (String x : s.split(",")) {
        xs.add(Integer.parseInt(x));
      }
    }
    return List.copyOf(xs);
  }
}
