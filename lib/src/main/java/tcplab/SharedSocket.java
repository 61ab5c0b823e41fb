package tcplab;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import tcplab.engine.Rows;
import tcplab.observe.CRead;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.LibC;
import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.Table;

/**
 * Lesson 17, close() versus shutdown() when two descriptors share one socket (C only: Java has no
 * way to dup or fork a socket). close() only drops one reference, so no FIN leaves while another fd
 * is open; shutdown(SHUT_WR) acts on the socket itself and sends FIN at once.
 *
 * <p>How "close the original fd" is done without harming the Java Socket: the Socket object still
 * owns fd number N and will close N again in its own close(). A bare close(N) would free the
 * number, the next open() anywhere in the JVM could reuse it, and the Socket's later close() would
 * then close that unrelated file. So the original reference is first moved to a spare number (fcntl
 * F_DUPFD_CLOEXEC), /dev/null is put in its place at N (dup2, which drops the socket reference held
 * by N atomically), and the spare is closed with a real close() — the call the table reports. N
 * stays occupied (by /dev/null) until the Java Socket closes it.
 */
public final class SharedSocket {
  private SharedSocket() {}

  /** Deadline of each blocking step in {@link #closeVersusShutdown()}. */
  public static final int DEFAULT_DEADLINE_MS = 5_000;

  /** Longest step deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  /** How long the server waits for a FIN that must not come. */
  public static final int NO_FIN_WAIT_MS = 200;

  private static final int F_DUPFD_CLOEXEC = 1030;

  /**
   * One connection, client fd duplicated: close(original) sends nothing, shutdown(dup, SHUT_WR)
   * sends FIN (5 s deadline per step).
   */
  public static Table closeVersusShutdown() {
    return closeVersusShutdown(DEFAULT_DEADLINE_MS);
  }

  /**
   * Like {@link #closeVersusShutdown()}; every blocking step gives up after {@code
   * stepDeadlineMillis} (1 .. 30000 ms).
   */
  public static Table closeVersusShutdown(int stepDeadlineMillis) {
    int ms = Check.range("stepDeadlineMillis", stepDeadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Rows t =
        new Rows(
            "who",
            "call (C terms)",
            "returned / errno",
            "what happened",
            "/proc/net/tcp afterwards");
    String name = "close() of one of two fds sends nothing; shutdown(SHUT_WR) sends FIN";
    Optional<String> why = CView.unavailableReason();
    if (why.isPresent()) {
      t.add("client", "fcntl(F_DUPFD_CLOEXEC), close, shutdown", why.get());
      return t.table(name);
    }
    int dup = -1;
    try (ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket()) {
      l.setSoTimeout(ms);
      client.connect(l.getLocalSocketAddress(), ms);
      try (Socket server = l.accept()) {
        int cfd = CView.fdOf(client),
            sfd = CView.fdOf(server),
            cp = client.getLocalPort(),
            sp = l.getLocalPort();
        CResult d = LibC.call(() -> LibC.C.fcntl(cfd, F_DUPFD_CLOEXEC, 0));
        t.add(
            "client",
            "fcntl(" + cfd + ", F_DUPFD_CLOEXEC, 0)",
            d.text(),
            d.failed()
                ? "no duplicate"
                : "fd " + cfd + " and fd " + d.value() + " refer to one socket",
            states(cp, sp));
        if (d.failed()) {
          return t.table(name);
        }
        dup = (int) d.value();
        CResult spare = LibC.call(() -> LibC.C.fcntl(cfd, F_DUPFD_CLOEXEC, 0));
        if (spare.failed()) {
          t.add(
              "client",
              "fcntl(" + cfd + ", F_DUPFD_CLOEXEC, 0)",
              spare.text(),
              "cannot move fd " + cfd + " aside");
          return t.table(name);
        }
        CView.crashClose(cfd);
        CResult closed = CView.close((int) spare.value());
        t.add(
            "client",
            "close(" + cfd + ")",
            closed.text(),
            "only one of two references dropped (done as: moved to fd "
                + spare.value()
                + ", dup2(/dev/null, "
                + cfd
                + "), close("
                + spare.value()
                + ")); fd "
                + cfd
                + " → "
                + link(cfd)
                + " for the Java Socket",
            states(cp, sp));
        CRead r1 = CView.recv(sfd, 16, 0, NO_FIN_WAIT_MS);
        t.add(
            "server",
            "poll " + NO_FIN_WAIT_MS + " ms, recv(" + sfd + ", 16, MSG_DONTWAIT)",
            r1.text(),
            r1.result().errno() == CResult.EAGAIN
                ? "nothing arrived: no FIN"
                : r1.result().value() == 0 ? "EOF: a FIN arrived" : "data",
            states(cp, sp));
        long t0 = System.nanoTime();
        CResult sh = CView.shutdown(dup, CView.SHUT_WR);
        boolean fin =
            ProcNetTcp.awaitState(
                cp, sp, r -> r.state().equals("FIN_WAIT2"), Duration.ofMillis(ms));
        t.add(
            "client",
            "shutdown(" + dup + ", SHUT_WR)",
            sh.text(),
            fin
                ? String.format(
                    "FIN sent although fd %d is closed and only the dup remains: client FIN_WAIT2 after %.1f ms",
                    cfd, (System.nanoTime() - t0) / 1e6)
                : "no FIN_WAIT2 within " + ms + " ms",
            states(cp, sp));
        CRead r2 = CView.recv(sfd, 16, 0, ms);
        t.add(
            "server",
            "poll ≤" + ms + " ms, recv(" + sfd + ", 16, MSG_DONTWAIT)",
            r2.text(),
            r2.result().value() == 0
                ? "EOF: the FIN arrived"
                : r2.result().errno() == CResult.EAGAIN
                    ? "nothing arrived within " + ms + " ms"
                    : "data",
            states(cp, sp));
        CResult c2 = CView.close(dup);
        dup = -1;
        t.add(
            "client",
            "close(" + d.value() + ")",
            c2.text(),
            "last reference dropped; the orphaned socket waits for the server's FIN",
            states(cp, sp));
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "shared-socket scenario could not set up its connection: " + e, e);
    } finally {
      if (dup >= 0) {
        CView.close(dup);
      }
    }
    return t.table(name);
  }

  private static String states(int clientPort, int serverPort) {
    return "client "
        + Rows.state(clientPort, serverPort)
        + " · server "
        + Rows.state(serverPort, clientPort);
  }

  private static String link(int fd) {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
    } catch (IOException e) {
      return "? (" + e.getMessage() + ")";
    }
  }
}
