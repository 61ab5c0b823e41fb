package tcplab.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tcplab.Step;
import tcplab.observe.CView;
import tcplab.proc.Deadlines;

/**
 * The server peer as a separate process, so that it can really crash: the lab kills it with SIGKILL
 * and its kernel closes the socket exactly as after a crash. It listens on 127.0.0.1:0, prints
 * {@code PORT n}, accepts one connection, prints {@code READY}, then performs one step per line of
 * standard input ({@code OP number deadlineMillis base64(text)}) and answers {@code DONE
 * base64(view)}. A line {@code POLL} is answered {@code POLLED pollEvents/epollEvents}: what poll()
 * and epoll_wait() report on its socket now (C mode). It exits when its standard input closes.
 */
public final class PeerProcess {
  private PeerProcess() {}

  /**
   * Entry point of the child process; the arguments are the mode (C or JAVA) and, optionally, how
   * long to wait for the connection (ms; 10000).
   */
  public static void main(String[] args) throws Exception {
    Ops.Mode mode = Ops.Mode.valueOf(args[0]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Ops.End end;
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      out.println("PORT " + listener.getLocalPort());
      if (mode == Ops.Mode.C) {
        Thread warm =
            new Thread(CView::unavailableReason, "load-jna"); // JNA loads while the parent connects
        warm.setDaemon(true);
        warm.start();
      }
      end =
          new Ops.End(
              Deadlines.accept(listener, args.length > 1 ? Integer.parseInt(args[1]) : 10_000));
    }
    if (mode == Ops.Mode.C) {
      end.fd(); // find the descriptor while the connection is up
    }
    out.println("READY");
    Base64.Decoder dec = Base64.getDecoder();
    Base64.Encoder enc = Base64.getEncoder();
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("POLL")) {
        String[] r = Ready.events(end.fd());
        out.println("POLLED " + r[0] + "/" + r[1]);
        continue;
      }
      String[] f = line.split(" ", 4);
      Step step =
          new Step(
              Side.SERVER,
              Step.Op.valueOf(f[0]),
              new String(dec.decode(f[3]), StandardCharsets.UTF_8),
              Integer.parseInt(f[1]),
              null);
      String view = Ops.perform(end, step, mode, Integer.parseInt(f[2]));
      out.println("DONE " + enc.encodeToString(view.getBytes(StandardCharsets.UTF_8)));
    }
    end.close();
  }
}
