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
 * server on that port then fails without SO_REUSEADDR and works with it. Java's ServerSocket sets
 * SO_REUSEADDR by default on Linux, which is why Java servers rarely meet this error.
 */
public final class Rebind {
  private Rebind() {}

  /** Deadline of each blocking step in {@link #quickRestart()}. */
  public static final int DEFAULT_DEADLINE_MS = 5_000;

  /** Longest step deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  /**
   * Server closes first, then two re-binds of its port: without and with SO_REUSEADDR (5 s deadline
   * per step).
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
    InetAddress lo = InetAddress.getLoopbackAddress();
    boolean javaDefault;
    int port;
    try (ServerSocket listener = new ServerSocket()) {
      javaDefault = listener.getReuseAddress();
      listener.bind(new InetSocketAddress(lo, 0), 1);
      listener.setSoTimeout(ms);
      port = listener.getLocalPort();
      try (Socket client = new Socket()) {
        client.connect(listener.getLocalSocketAddress(), ms);
        client.setSoTimeout(ms);
        int cport = client.getLocalPort();
        try (Socket server = listener.accept()) {
          server.close(); // active close: FIN from the server
          t.add("server", "close(connfd) first", "0", "server.close()", row(port, cport));
        }
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
      }
      listener.close();
      t.add(
          "server",
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
    } catch (IOException e) {
      throw new IllegalStateException(
          "quick-restart scenario could not set up its connection: " + e, e);
    }
    for (boolean reuse : new boolean[] {false, true}) {
      try (ServerSocket again = new ServerSocket()) {
        again.setReuseAddress(reuse);
        String call =
            "setsockopt(SO_REUSEADDR, " + (reuse ? 1 : 0) + "); bind(127.0.0.1:" + port + ")";
        try {
          again.bind(new InetSocketAddress(lo, port), 1);
          t.add(
              "restarted server",
              call,
              "0",
              "bound to port " + again.getLocalPort(),
              timeWaits(port));
        } catch (BindException e) {
          t.add(
              "restarted server",
              call,
              e.getMessage().startsWith("Address already in use") ? "-1 EADDRINUSE (98)" : "-1",
              e.getClass().getName() + ": " + e.getMessage(),
              timeWaits(port));
        }
      } catch (IOException e) {
        t.add(
            "restarted server",
            "bind(127.0.0.1:" + port + ")",
            "-1",
            e.toString(),
            timeWaits(port));
      }
    }
    return t.table(
        "Quick restart on port "
            + port
            + " (Java's new ServerSocket() has SO_REUSEADDR "
            + (javaDefault ? "ON" : "OFF")
            + " by default here)");
  }

  private static String row(int local, int remote) {
    return "server end " + Rows.state(local, remote) + " · client end " + Rows.state(remote, local);
  }

  private static String timeWaits(int port) {
    long n =
        ProcNetTcp.rows().stream()
            .filter(r -> r.localPort() == port && r.state().equals("TIME_WAIT"))
            .count();
    return n + " TIME_WAIT socket(s) on port " + port;
  }
}
