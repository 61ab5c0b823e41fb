package tcplab.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tcplab.observe.CRead;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.Pipe;
import tcplab.observe.PollView;
import tcplab.proc.Daemons;

/**
 * The lesson's client reads a line from stdin, writes it, then reads the reply. Its server closes
 * (FIN) while the client waits for the user. Two clients, C calls on real fds: one blocked in
 * read(stdin), one waiting in poll() on stdin and the socket together. Their stdin is a pipe the
 * lab types into after {@code lineAfterMillis}.
 */
public final class StdinRace {
  private StdinRace() {}

  /**
   * What one client did.
   *
   * @param pollBoth true for the client that polls stdin and the socket, false for the blocked one
   * @param finAtMillis when the server called close() (FIN), from the start
   * @param lineAtMillis when the line was typed
   * @param noticedAtMillis when the client's read() on the socket returned 0; -1 if not in time
   * @param calls the client's calls in order, with their results
   */
  public record Outcome(
      boolean pollBoth,
      double finAtMillis,
      double lineAtMillis,
      double noticedAtMillis,
      List<String> calls) {

    /** Whether the client noticed the FIN before the line was typed. */
    public boolean beforeTheLine() {
      return noticedAtMillis >= 0 && noticedAtMillis < lineAtMillis;
    }
  }

  /** Plays one client; nothing waits longer than {@code deadlineMillis}. */
  public static Outcome play(boolean pollBoth, int lineAfterMillis, int deadlineMillis)
      throws IOException {
    InetAddress lo = InetAddress.getLoopbackAddress();
    ScheduledExecutorService typist =
        Executors.newSingleThreadScheduledExecutor(Daemons.named("tcplab-typist"));
    try (ServerSocket listener = new ServerSocket(0, 1, lo);
        Socket client = new Socket();
        Pipe stdin = Pipe.open()) {
      client.connect(new InetSocketAddress(lo, listener.getLocalPort()), deadlineMillis);
      listener.setSoTimeout(deadlineMillis);
      return race(pollBoth, lineAfterMillis, deadlineMillis, listener, client, stdin, typist);
    } finally {
      typist.shutdownNow();
    }
  }

  private static Outcome race(
      boolean pollBoth,
      int lineAfterMillis,
      int deadlineMillis,
      ServerSocket listener,
      Socket client,
      Pipe stdin,
      ScheduledExecutorService typist)
      throws IOException {
    double[] lineAt = {-1};
    List<String> calls = new ArrayList<>();
    try (Socket server = listener.accept()) {
      int sock = CView.fdOf(client);
      long t0 = System.nanoTime();
      typist.schedule(
          () -> {
            lineAt[0] = ms(t0);
            stdin.type("hello\n");
          },
          lineAfterMillis,
          TimeUnit.MILLISECONDS);
      double finAt = ms(t0);
      server.close(); // FIN: nothing unread on the server
      double noticed = -1;
      long end = t0 + deadlineMillis * 1_000_000L;
      if (pollBoth) {
        while (noticed < 0) {
          long left = (end - System.nanoTime()) / 1_000_000L;
          int[] r = left <= 0 ? new int[2] : PollView.pollIn(left, stdin.readFd(), sock);
          if (r == null || (r[0] == 0 && r[1] == 0)) {
            calls.add(at(t0) + "poll(stdin, socket) = 0: nothing within " + deadlineMillis + " ms");
            break;
          }
          calls.add(
              at(t0)
                  + "poll(stdin, socket): stdin "
                  + PollView.names(r[0])
                  + ", socket "
                  + PollView.names(r[1]));
          if (r[1] != 0) {
            CRead got = CView.recv(sock, 1024, CView.MSG_DONTWAIT);
            calls.add(at(t0) + "read(socket) = " + got.text());
            if (got.result().value() == 0) {
              noticed = ms(t0);
            }
          } else {
            CRead line = stdin.read(1024);
            calls.add(at(t0) + "read(stdin) = " + line.text().replace("\n", "\\n"));
            CResult w = CView.send(sock, line.data(), CView.MSG_NOSIGNAL);
            calls.add(at(t0) + "write(socket) = " + w.text());
          }
        }
      } else {
        int[] r = PollView.pollIn(deadlineMillis, stdin.readFd());
        if (r == null || r[0] == 0) {
          calls.add(at(t0) + "read(stdin): nothing typed within " + deadlineMillis + " ms");
        } else {
          CRead line = stdin.read(1024);
          calls.add(at(t0) + "read(stdin) = " + line.text().replace("\n", "\\n"));
          CResult w = CView.send(sock, line.data(), CView.MSG_NOSIGNAL);
          calls.add(at(t0) + "write(socket) = " + w.text());
          long left = Math.max(1, (end - System.nanoTime()) / 1_000_000L);
          CRead got = CView.recv(sock, 1024, 0, left);
          calls.add(at(t0) + "read(socket) = " + got.text());
          if (got.result().value() == 0) {
            noticed = ms(t0);
          }
        }
      }
      typist.shutdown();
      typist.awaitTermination(deadlineMillis, TimeUnit.MILLISECONDS); // the line is typed
      return new Outcome(pollBoth, finAt, lineAt[0], noticed, List.copyOf(calls));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static double ms(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static String at(long t0) {
    return String.format(Locale.ROOT, "%.1f ms: ", ms(t0));
  }
}
