package tcplab.observe;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import tcplab.Lesson;
import tcplab.Result;

/**
 * Run by PacketSocketTest in a child JVM, e.g. under {@code unshare -rn}: one connection on lo
 * (SYN, "hello", FIN from the client, then RST from the server closing with unread data) captured
 * by {@link Capture}; prints the backend, the capture's cost and one line per packet.
 */
public class PacketSocketProbe {
  public static void main(String[] args) throws Exception {
    System.out.println("status=" + Capture.status());
    System.out.println("backend=" + Capture.backend());
    System.out.println("userns=" + ProcSelf.inUserNamespace());
    if (Capture.backend() == Capture.Backend.NONE) {
      return;
    }
    if (args.length == 2 && args[0].equals("scenarios")) {
      scenarios(Integer.parseInt(args[1]));
      return;
    }
    if (args.length == 1) {
      bench(Integer.parseInt(args[0]));
      return;
    }
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
      long t = System.nanoTime();
      Capture cap = Capture.start("lo", listener.getLocalPort());
      double started = (System.nanoTime() - t) / 1e6;
      int clientPort;
      try (Socket client = new Socket(lo, listener.getLocalPort());
          Socket server = listener.accept()) {
        clientPort = client.getLocalPort();
        OutputStream out = client.getOutputStream();
        out.write("hello".getBytes());
        InputStream in = server.getInputStream();
        in.readNBytes(2); // three bytes stay unread: the server's close sends RST
        client.shutdownOutput(); // FIN
        server.setSoLinger(true, 0);
        server.close(); // RST
      }
      long s = System.nanoTime();
      List<Capture.Packet> packets = cap.stop();
      double stopped = (System.nanoTime() - s) / 1e6;
      System.out.printf(
          "cost start=%.2f ms stop=%.2f ms used=%s%n", started, stopped, cap.backendUsed());
      System.out.println("clientPort=" + clientPort);
      for (Capture.Packet p : packets) {
        System.out.println(
            "packet "
                + p.srcPort()
                + ">"
                + p.dstPort()
                + " "
                + p.flagNames()
                + " len "
                + p.length());
      }
      System.out.println(
          Capture.table(packets, packets.isEmpty() ? 0 : packets.get(0).epochSeconds(), clientPort)
              .printAll());
    }
  }

  /** {@code n} connections, each with a fresh capture: the median cost of start + stop, in ms. */
  static void bench(int n) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    double[] cost = new double[n];
    double[] start = new double[n];
    int synMissed = 0;
    try (ServerSocket listener = new ServerSocket(0, 50, lo)) {
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        Capture cap = Capture.start("lo", listener.getLocalPort());
        start[i] = (System.nanoTime() - t) / 1e6;
        long between;
        int clientPort;
        long c0 = System.nanoTime();
        try (Socket c = new Socket(lo, listener.getLocalPort());
            Socket s = listener.accept()) {
          clientPort = c.getLocalPort();
        }
        between = System.nanoTime() - c0;
        List<Capture.Packet> packets = cap.stop();
        cost[i] = (System.nanoTime() - t - between) / 1e6;
        if (packets.stream().noneMatch(p -> p.flags().equals("S") && p.srcPort() == clientPort)) {
          synMissed++;
        }
      }
    }
    java.util.Arrays.sort(cost);
    java.util.Arrays.sort(start);
    System.out.printf(
        "bench backend=%s n=%d median=%.2f ms (start %.2f ms) max=%.2f ms synMissed=%d%n",
        Capture.backend(), n, cost[n / 2], start[n / 2], cost[n - 1], synMissed);
  }

  /**
   * Every lesson scenario {@code n} times: the median wall time of one run (both passes), in ms,
   * and the sum.
   */
  static void scenarios(int n) {
    Lesson.halfClose().run(); // warm up
    double sum = 0;
    StringBuilder b = new StringBuilder();
    for (String name : Lesson.names()) {
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        Result r = Lesson.byName(name).run();
        ms[i] = (System.nanoTime() - t) / 1e6;
        if (r.captureNote() != null) {
          throw new IllegalStateException(r.captureNote());
        }
      }
      java.util.Arrays.sort(ms);
      sum += ms[n / 2];
      b.append(String.format("  %-40s %8.1f ms%n", name, ms[n / 2]));
    }
    System.out.print(b);
    System.out.printf(
        "scenarios backend=%s: %d scenarios, sum of medians %.0f ms%n",
        Capture.backend(), Lesson.names().size(), sum);
  }
}
