package tcplab;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import tcplab.engine.Rows;
import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.Table;

/**
 * Reader question of lesson 17, "Address already in use": the server closes first, so its end of
 * the connection waits in TIME_WAIT (2 MSL, 60 s on Linux) on the server's port; restarting the
 * server on that port then fails unless SO_REUSEADDR is set on the new listener <em>and</em> was
 * set on the old one (a TIME_WAIT or connected socket keeps the flag of the listener it came from).
 * With the flag on both, a new listener also binds while an old accepted connection is still
 * ESTABLISHED. Java's ServerSocket sets SO_REUSEADDR by default on Linux, and so does the lesson's
 * C {@code tcp_server()}, which is why they rarely meet this error.
 */
public final class Rebind {
  private Rebind() {}

  /** Deadline of each blocking step in {@link #quickRestart()}. */
  public static final int DEFAULT_DEADLINE_MS = 5_000;

  /** Longest step deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  /**
   * Three rounds on three fresh ports, each: a listener (SO_REUSEADDR off, then on, then on), one
   * connection, the old listener closed, then re-binds of its port with SO_REUSEADDR 0 and 1. In
   * the first two rounds the server closes first (its end in TIME_WAIT); in the third the old
   * connection stays ESTABLISHED. 5 s deadline per step.
   */
  public static Table quickRestart() {
    return quickRestart(DEFAULT_DEADLINE_MS);
  }

  /**
   * Like {@link #quickRestart()}; every blocking step gives up after {@code stepDeadlineMillis} (1
   * .. 30000 ms).
   */
  public static Table quickRestart(int stepDeadlineMillis) {
    int ms = Check.range("stepDeadlineMillis", stepDeadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Rows t =
        new Rows(
            "who", "call (C terms)", "returned / errno", "Java view", "/proc/net/tcp afterwards");
    boolean javaDefault;
    try (ServerSocket probe = new ServerSocket()) {
      javaDefault = probe.getReuseAddress(); // the default, read before any bind
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1); // never a wildcard
    } catch (IOException e) {
      throw new IllegalStateException("could not open a ServerSocket: " + e, e);
    }
    round(t, false, true, ms);
    round(t, true, true, ms);
    round(t, true, false, ms);
    return t.table(
        "Quick restart: the old listener's SO_REUSEADDR and the new one's (Java's new ServerSocket() has"
            + " SO_REUSEADDR "
            + (javaDefault ? "ON" : "OFF")
            + " by default here)");
  }

  /**
   * One round: a listener with SO_REUSEADDR {@code oldReuse}, one connection, closed by the server
   * first if {@code serverClosesFirst} (else left ESTABLISHED), the listener closed, then re-binds.
   */
  private static void round(Rows t, boolean oldReuse, boolean serverClosesFirst, int ms) {
    InetAddress lo = InetAddress.getLoopbackAddress();
    int port;
    Socket keptServer = null;
    Socket keptClient = null;
    try (ServerSocket listener = new ServerSocket()) {
      listener.setReuseAddress(oldReuse);
      listener.bind(new InetSocketAddress(lo, 0), 1);
      listener.setSoTimeout(ms);
      port = listener.getLocalPort();
      t.add(
          "old server",
          "setsockopt(SO_REUSEADDR, " + (oldReuse ? 1 : 0) + "); bind; listen",
          "0",
          "setReuseAddress(" + oldReuse + "); bind()",
          "LISTEN on " + port);
      Socket client = new Socket();
      keptClient = client;
      client.connect(listener.getLocalSocketAddress(), ms);
      client.setSoTimeout(ms);
      int cport = client.getLocalPort();
      Socket server = listener.accept();
      keptServer = server;
      if (serverClosesFirst) {
        server.close(); // active close: FIN from the server
        t.add("old server", "close(connfd) first", "0", "server.close()", row(port, cport));
        InputStream in = client.getInputStream();
        int eof = in.read();
        client.close();
        boolean tw =
            ProcNetTcp.awaitState(
                port, cport, r -> r.state().equals("TIME_WAIT"), Duration.ofMillis(ms));
        t.add(
            "client",
            "read() then close(sockfd)",
            eof == -1 ? "0 (EOF), 0" : eof + ", 0",
            "read() = " + eof + "; close()",
            row(port, cport) + (tw ? "" : " (no TIME_WAIT within " + ms + " ms)"));
      } else {
        t.add("old server", "keeps connfd open (a leftover connection)", "", "", row(port, cport));
      }
      listener.close();
      t.add(
          "old server",
          "close(listenfd)",
          "0",
          "listener.close()",
          "LISTEN on "
              + port
              + ": "
              + (ProcNetTcp.rows().stream()
                      .anyMatch(r -> r.localPort() == port && r.state().equals("LISTEN"))
                  ? "still there"
                  : "gone"));
      for (boolean reuse : new boolean[] {false, true}) {
        rebind(t, lo, port, reuse);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "quick-restart scenario could not set up its connection: " + e, e);
    } finally {
      closeQuietly(keptServer);
      closeQuietly(keptClient);
    }
  }

  private static void rebind(Rows t, InetAddress lo, int port, boolean reuse) {
    String call = "setsockopt(SO_REUSEADDR, " + (reuse ? 1 : 0) + "); bind(127.0.0.1:" + port + ")";
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(reuse);
      try {
        again.bind(new InetSocketAddress(lo, port), 1);
        t.add("new server", call, "0", "bound to port " + again.getLocalPort(), others(port));
      } catch (BindException e) {
        t.add(
            "new server",
            call,
            e.getMessage().startsWith("Address already in use") ? "-1 EADDRINUSE (98)" : "-1",
            e.getClass().getName() + ": " + e.getMessage(),
            others(port));
      }
    } catch (IOException e) {
      t.add("new server", call, "-1", e.toString(), others(port));
    }
  }

  private static void closeQuietly(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing a socket that is already closed or reset: nothing left to release
      }
    }
  }

  private static String row(int local, int remote) {
    return "server end " + Rows.state(local, remote) + " · client end " + Rows.state(remote, local);
  }

  /** The old connection's sockets still on the port (besides a listener), by state. */
  private static String others(int port) {
    java.util.Map<String, Long> n = new java.util.TreeMap<>();
    ProcNetTcp.rows().stream()
        .filter(r -> r.localPort() == port && !r.state().equals("LISTEN"))
        .forEach(r -> n.merge(r.state(), 1L, Long::sum));
    return n.isEmpty()
        ? "no socket left on port " + port
        : n.entrySet().stream()
                .map(e -> e.getValue() + " " + e.getKey())
                .collect(java.util.stream.Collectors.joining(", "))
            + " socket(s) on port "
            + port;
  }
}
