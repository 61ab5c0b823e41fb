package tcplab.observe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Optional;
import tcplab.proc.Patience;

/**
 * The in-process backend of {@link Capture}: a {@link PacketSocket} in this JVM, ready once it is
 * bound. On lo, stopping sends the marker SYN and waits until the reader has taken it from the
 * ring; elsewhere it waits until the ring has been quiet.
 */
final class SocketCapture {
  private static final int MARKER_MILLIS = 500;

  private final PacketSocket socket;
  private final Socket marker;
  private final int markerPort;
  private final boolean useMarker;
  private final List<String> errors;
  private final double readyMillis;

  /**
   * Opens a packet socket on {@code iface} for {@code ports} (and the marker's port on lo); says
   * "listening on" in {@code errors}, as tcpdump does. The marker socket is closed on stop (or when
   * the socket cannot be opened).
   *
   * @throws IllegalStateException with the reason when the socket cannot be opened
   */
  SocketCapture(String iface, int[] ports, Socket marker, boolean useMarker, List<String> errors)
      throws IOException {
    this.marker = marker;
    this.markerPort = marker.getLocalPort();
    this.useMarker = useMarker;
    this.errors = errors;
    long t = System.nanoTime();
    try {
      socket = PacketSocket.open(iface, useMarker ? markerPort : 0, ports);
    } catch (RuntimeException e) {
      marker.close();
      throw new IllegalStateException("no packet capture here: " + e.getMessage(), e);
    }
    readyMillis = (System.nanoTime() - t) / 1e6;
    errors.add("listening on " + iface + ", packet socket in this JVM"); // as tcpdump says it
  }

  /**
   * Why this process may not open a packet socket, or empty; a missing JNA jar is a reason, never
   * an error.
   */
  static Optional<String> unavailableReason() {
    try {
      return PacketSocket.unavailableReason();
    } catch (
        LinkageError e) { // PacketSocket itself could not be linked: JNA is not on the class path
      return Optional.of("JNA could not load libc (" + e + ")");
    }
  }

  /** Milliseconds from socket() to bind(). */
  double readyMillis() {
    return readyMillis;
  }

  /**
   * Waits until every segment of interest is in, stops the reader, frees the ring and returns the
   * segments in order; the socket's statistics go to {@code errors}.
   */
  List<Capture.Packet> stop() {
    drainSocket();
    List<Capture.Packet> packets = socket.stop();
    errors.add(socket.statistics());
    try {
      marker.close();
    } catch (IOException e) {
      // nothing to do
    }
    return packets;
  }

  /**
   * Packet socket: on lo, one marker SYN (and its RST) and a wait until the reader has taken it
   * from the ring, so every earlier segment is in; elsewhere, a wait until the ring has been quiet
   * for 20 ms (at most 500 ms).
   */
  private void drainSocket() {
    Patience patience = Patience.of(MARKER_MILLIS); // the reader thread may wait for a busy CPU
    if (useMarker) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", markerPort), MARKER_MILLIS);
      } catch (IOException expected) {
        // connection refused: the SYN and its RST are on the wire
      }
    }
    while (!patience.over()) {
      if (useMarker
          ? socket.ignoredSeen()
          : System.nanoTime() - socket.lastFrameNanos() > 20_000_000L) {
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
