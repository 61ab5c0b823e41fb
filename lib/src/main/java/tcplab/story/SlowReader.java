package tcplab.story;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiver of notebook 08 as a separate process, so that it can be paused with SIGSTOP. It
 * listens on 127.0.0.1:0 (SO_RCVBUF set on the listener, so the window is small from the SYN on),
 * prints {@code PORT n}, accepts one connection within 10 s, prints {@code READY rcvbuf=n}, then:
 *
 * <ul>
 *   <li>mode {@code READS}: a thread reads everything that arrives (until end of stream, then
 *       prints {@code EOF n} with the bytes read);
 *   <li>mode {@code NEVER}: nothing ever calls read();
 *   <li>with a heartbeat period &gt; 0, another thread writes {@code alive <bytes read>\n} back
 *       every period (it keeps doing so while the reading stalls, but not while the process is
 *       stopped).
 * </ul>
 *
 * It exits when its standard input ends (the parent died or is done).
 */
public final class SlowReader {
  private SlowReader() {}

  /** Arguments: mode (READS or NEVER), SO_RCVBUF bytes (0 = default), heartbeat period ms (0). */
  public static void main(String[] args) throws Exception {
    boolean reads = args[0].equals("READS");
    int rcvbuf = Integer.parseInt(args[1]);
    int heartbeat = Integer.parseInt(args[2]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    Socket s;
    try (ServerSocket l = new ServerSocket()) {
      if (rcvbuf > 0) {
        l.setReceiveBufferSize(rcvbuf);
      }
      l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      out.println("PORT " + l.getLocalPort());
      l.setSoTimeout(10_000);
      s = l.accept();
    }
    out.println("READY rcvbuf=" + s.getReceiveBufferSize());
    AtomicLong read = new AtomicLong();
    if (reads) {
      daemon(
          () -> {
            byte[] buf = new byte[8192];
            try (InputStream in = s.getInputStream()) {
              for (int n; (n = in.read(buf)) >= 0; ) {
                read.addAndGet(n);
              }
              out.println("EOF " + read.get());
            } catch (IOException e) {
              out.println("ERROR " + e.getMessage());
            }
          });
    }
    if (heartbeat > 0) {
      daemon(
          () -> {
            try {
              OutputStream o = s.getOutputStream();
              while (true) {
                o.write(("alive " + read.get() + "\n").getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(heartbeat);
              }
            } catch (IOException | InterruptedException e) {
              // the connection is gone
            }
          });
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.equals("COUNT")) {
        out.println("READ " + read.get());
      }
    }
    System.exit(0);
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "slow-reader");
    t.setDaemon(true);
    t.start();
  }
}
