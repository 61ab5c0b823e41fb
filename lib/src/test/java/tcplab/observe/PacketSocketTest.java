package tcplab.observe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.proc.Processes;

/**
 * In-process capture with an AF_PACKET socket: as root, as root of a user namespace, and against
 * tcpdump.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PacketSocketTest {

  /**
   * An IPv4 TCP segment (20-byte IP header, 32-byte TCP header with options) with {@code data}
   * bytes of payload.
   */
  private static byte[] ipv4(int flags, long seq, long ack, int data) {
    byte[] b = new byte[20 + 32 + data];
    b[0] = 0x45;
    b[2] = (byte) (b.length >> 8);
    b[3] = (byte) b.length;
    b[6] = 0x40; // DF
    b[9] = 6;
    b[12] = 127;
    b[15] = 1;
    b[16] = 127;
    b[19] = 1;
    b[20] = (byte) 0xa1; // port 41234
    b[21] = 0x12;
    b[22] = (byte) 0x9c; // port 39999
    b[23] = 0x3f;
    for (int i = 0; i < 4; i++) {
      b[24 + i] = (byte) (seq >> (24 - 8 * i));
      b[28 + i] = (byte) (ack >> (24 - 8 * i));
    }
    b[32] = (byte) 0x80; // 8 words
    b[33] = (byte) flags;
    b[34] = 0x02; // window 512
    return b;
  }

  @Test
  void segmentsReadLikeTcpdumpPrintsThem() {
    Capture.Packet data = PacketBytes.parse(ipv4(0x18, 100, 7, 5), 57, 1700000000.123456);
    assertEquals(
        Capture.parse(
                "1700000000.123456 IP 127.0.0.1.41234 > 127.0.0.1.39999: Flags [P.], "
                    + "seq 100:105, ack 7, win 512, options [nop,nop,TS val 1 ecr 2], length 5")
            .orElseThrow(),
        data);
    Capture.Packet ack = PacketBytes.parse(ipv4(0x10, 105, 7, 0), 52, 1.5);
    assertEquals(
        Capture.parse(
                "1.5 IP 127.0.0.1.41234 > 127.0.0.1.39999: Flags [.], ack 7, win 512, length 0")
            .orElseThrow(),
        ack);
    assertEquals("S", PacketBytes.parse(ipv4(0x02, 4294967295L, 0, 0), 52, 1).flags());
    assertEquals(4294967295L, PacketBytes.parse(ipv4(0x02, 4294967295L, 0, 0), 52, 1).seq());
    assertEquals(
        3,
        PacketBytes.parse(ipv4(0x18, 4294967295L, 0, 4), 56, 1).seqEnd(),
        "seq+length wraps at 2^32");
    assertEquals("S.", PacketBytes.parse(ipv4(0x12, 5, 6, 0), 52, 1).flags());
    assertEquals("F.", PacketBytes.parse(ipv4(0x11, 5, 6, 0), 52, 1).flags());
    assertEquals("R", PacketBytes.parse(ipv4(0x04, 5, 0, 0), 52, 1).flags());
    assertEquals(-1, PacketBytes.parse(ipv4(0x04, 5, 0, 0), 52, 1).ack());
    assertEquals("none", PacketBytes.parse(ipv4(0x00, 5, 0, 0), 52, 1).flags());
    byte[] udp = ipv4(0, 0, 0, 0);
    udp[9] = 17;
    assertNull(PacketBytes.parse(udp, 52, 1));
    byte[] v6 = new byte[16];
    v6[15] = 1;
    assertEquals("::1", PacketBytes.ipv6(v6, 0));
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
    assertEquals("::ffff:127.0.0.1", PacketBytes.ipv6(mapped, 0));
    byte[] ll = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x2a};
    assertEquals("fe80::2a", PacketBytes.ipv6(ll, 0));
  }

  @Test
  void filterIsTheProgramTcpdumpCompiles() {
    long[][] p = BpfFilter.filter(new int[] {5, 6});
    // tcpdump -d "tcp and (port 5 or port 6)" on an Ethernet link (23 instructions), with the three
    // "ret #0" and
    // the port tests that tcpdump's optimizer shares written out
    assertEquals(26, p.length);
    assertArrayEquals(new long[] {0x28, 0, 0, 12}, p[0]);
    assertArrayEquals(new long[] {0x06, 0, 0, 262144}, p[p.length - 2]);
    assertArrayEquals(new long[] {0x06, 0, 0, 0}, p[p.length - 1]);
    for (int i = 0; i < p.length; i++) {
      if ((p[i][0] & 0x07) == 0x05) { // jumps stay inside the program
        assertTrue(i + 1 + p[i][1] < p.length && i + 1 + p[i][2] < p.length, "jump at " + i);
      }
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Runs the probe under {@code unshare -rn} (a new user and network namespace, lo up) as this
   * user.
   */
  private static String underUnshare(String... probeArgs) throws Exception {
    String ip = Processes.onPath("ip").orElse(null);
    String unshare = Processes.onPath("unshare").orElse(null);
    assumeTrue(ip != null && unshare != null, "needs ip and unshare");
    assumeTrue(
        new ProcessBuilder(unshare, "-rn", "true").start().waitFor() == 0,
        "unshare -rn works here");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                unshare,
                "-rn",
                "sh",
                "-c",
                "\"$0\" link set lo up && exec \"$@\"",
                ip,
                java(),
                "-cp",
                System.getProperty("java.class.path"),
                PacketSocketProbe.class.getName()));
    cmd.addAll(Arrays.asList(probeArgs));
    Path out = Files.createTempFile("tcplab-userns", ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertTrue(p.waitFor(40, TimeUnit.SECONDS), "the probe ended within 40 s");
      String printed = Files.readString(out, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), printed);
      return printed;
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
    }
  }

  @Test
  void rootOfAUserNamespaceCapturesInProcess() throws Exception {
    String out = underUnshare();
    System.out.println(out);
    assertTrue(out.contains("backend=PACKET_SOCKET"), out);
    assertTrue(out.contains("userns=true"), out);
    assertTrue(out.contains("(packet socket, root of a user namespace)"), out);
    String client =
        out.lines()
            .filter(l -> l.startsWith("clientPort="))
            .findFirst()
            .orElseThrow()
            .substring(11);
    List<String> lines = out.lines().filter(l -> l.startsWith("packet ")).toList();
    assertTrue(lines.get(0).matches("packet " + client + ">\\d+ SYN len 0"), lines::toString);
    assertTrue(
        lines.stream().anyMatch(l -> l.matches("packet \\d+>" + client + " SYN ACK len 0")),
        lines::toString);
    assertTrue(
        lines.stream().anyMatch(l -> l.matches("packet " + client + ">\\d+ PSH ACK len 5")),
        lines::toString);
    assertTrue(
        lines.stream().anyMatch(l -> l.matches("packet " + client + ">\\d+ FIN ACK len 0")),
        lines::toString);
    assertTrue(
        lines.get(lines.size() - 1).matches("packet \\d+>" + client + " RST ACK len 0"),
        lines::toString);
    assertEquals(
        1,
        lines.stream().filter(l -> l.contains(" SYN len")).count(),
        "each segment once: " + lines);
  }

  private static boolean tcpdumpAsRoot() {
    return ProcSelf.isRoot().orElse(false)
        && !ProcSelf.inUserNamespace()
        && Processes.onPath("tcpdump").isPresent()
        && PacketSocket.unavailableReason().isEmpty();
  }

  @Test
  void samePacketsAsTcpdumpOfTheSameConnection() throws Exception {
    assumeTrue(tcpdumpAsRoot(), "needs root, tcpdump and packet sockets");
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
      int port = listener.getLocalPort();
      try (Capture dump = Capture.start(Capture.Backend.TCPDUMP, "lo", port);
          Capture sock = Capture.start(Capture.Backend.PACKET_SOCKET, "lo", port)) {
        assertEquals(Capture.Backend.TCPDUMP, dump.backendUsed());
        assertEquals(Capture.Backend.PACKET_SOCKET, sock.backendUsed());
        try (Socket client = new Socket(lo, port);
            Socket server = listener.accept()) {
          client.getOutputStream().write(new byte[100_000]); // several segments, some of 64 KiB
          server.getInputStream().readNBytes(100_000);
          server.getOutputStream().write("bye".getBytes(StandardCharsets.UTF_8));
          client.getInputStream().readNBytes(3);
          client.shutdownOutput(); // FIN
          server
              .getOutputStream()
              .write(1); // the client still reads; then RST from the linger-0 close
          server.setSoLinger(true, 0);
          client.getInputStream().readNBytes(1);
          server.close();
        }
        List<Capture.Packet> fromSocket = sock.stop();
        List<Capture.Packet> fromTcpdump = dump.stop();
        fromSocket.forEach(System.out::println);
        assertTrue(fromSocket.size() >= 10, fromSocket::toString);
        assertEquals(
            fromTcpdump.size(),
            fromSocket.size(),
            () -> "tcpdump " + fromTcpdump + "\nsocket  " + fromSocket);
        for (int i = 0; i < fromSocket.size(); i++) {
          Capture.Packet a = fromTcpdump.get(i);
          Capture.Packet b = fromSocket.get(i);
          assertEquals(
              a,
              new Capture.Packet(
                  a.epochSeconds(),
                  b.src(),
                  b.srcPort(),
                  b.dst(),
                  b.dstPort(),
                  b.flags(),
                  b.seq(),
                  b.seqEnd(),
                  b.ack(),
                  b.length(),
                  b.window(),
                  b.wscale()),
              "packet " + i);
          // each packet socket stamps a segment that has no timestamp yet as it takes it: a few µs
          // apart
          assertEquals(
              a.epochSeconds(), b.epochSeconds(), 1e-4, "the kernel's timestamp, packet " + i);
        }
        List<String> flags = fromSocket.stream().map(Capture.Packet::flagNames).toList();
        assertTrue(
            flags.contains("SYN") && flags.contains("FIN ACK") && flags.contains("RST ACK"),
            flags::toString);
      }
    }
  }

  @Test
  void packetSocketCostsLessThanTcpdump() throws Exception {
    assumeTrue(tcpdumpAsRoot(), "needs root, tcpdump and packet sockets");
    double socket = median(Capture.Backend.PACKET_SOCKET, 10);
    double tcpdump = median(Capture.Backend.TCPDUMP, 10);
    System.out.printf(
        "capture cost per connection (start + stop, median of 10): packet socket %.1f ms, tcpdump %.1f ms%n",
        socket, tcpdump);
    assertTrue(socket < tcpdump, "packet socket " + socket + " ms, tcpdump " + tcpdump + " ms");
  }

  private static double median(Capture.Backend b, int n) throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    double[] cost = new double[n];
    try (ServerSocket listener = new ServerSocket(0, 1, lo)) {
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        Capture cap = Capture.start(b, "lo", listener.getLocalPort());
        long c0 = System.nanoTime();
        int clientPort;
        try (Socket c = new Socket(lo, listener.getLocalPort());
            Socket s = listener.accept()) {
          clientPort = c.getLocalPort();
        }
        long between = System.nanoTime() - c0;
        List<Capture.Packet> packets = cap.stop();
        cost[i] = (System.nanoTime() - t - between) / 1e6;
        assertTrue(
            packets.stream().anyMatch(p -> p.flags().equals("S") && p.srcPort() == clientPort),
            b + ": SYN missed");
      }
    }
    Arrays.sort(cost);
    return cost[n / 2];
  }

  @Test
  void noThreadOrDescriptorLeftAfterStop() throws Exception {
    assumeTrue(
        PacketSocket.unavailableReason().isEmpty(), () -> PacketSocket.unavailableReason().get());
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Capture.start(Capture.Backend.PACKET_SOCKET, "lo", listener.getLocalPort()).stop(); // warm up
      long fds = ProcSelf.fds();
      for (int i = 0; i < 5; i++) {
        Capture.start(Capture.Backend.PACKET_SOCKET, "lo", listener.getLocalPort()).stop();
      }
      Capture interrupted =
          Capture.start(Capture.Backend.PACKET_SOCKET, "lo", listener.getLocalPort());
      Thread.currentThread()
          .interrupt(); // a notebook interrupt during the scenario: stop still frees everything
      try {
        interrupted.stop();
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
      } finally {
        Thread.interrupted();
      }
      long after =
          ProcSelf.fds(); // another test's leftovers may close meanwhile: never more than before
      assertTrue(after <= fds, "open descriptors: " + fds + " before, " + after + " after");
      assertTrue(
          Thread.getAllStackTraces().keySet().stream()
              .noneMatch(t -> t.getName().equals("tcplab-packet-socket")),
          "a reader thread is still alive");
    }
  }
}
