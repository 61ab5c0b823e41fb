package tcplab.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tech.tablesaw.api.Table;

/** Seeing the wire: tcpdump on lo, parsed into packets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CaptureTest {

  private static void assumeCapture() {
    assumeTrue(Capture.unavailableReason().isEmpty(), () -> Capture.unavailableReason().orElse(""));
  }

  private static double now() {
    Instant i = Instant.now(); // microseconds on Linux, like tcpdump -tt
    return i.getEpochSecond() + i.getNano() / 1e9;
  }

  private static List<ProcessHandle> tcpdumps() {
    return ProcessHandle.current()
        .descendants()
        .filter(
            p -> p.isAlive() && p.info().command().map(c -> c.endsWith("tcpdump")).orElse(false))
        .toList();
  }

  @AfterEach
  void noTcpdumpLeft() {
    assertEquals(List.of(), tcpdumps(), "a tcpdump child is still running");
  }

  @Test
  void parsesTcpdumpLines() {
    Capture.Packet p =
        Capture.parse(
                "1700000000.123456 IP 127.0.0.1.41234 > 127.0.0.1.39999: Flags [P.], "
                    + "seq 100:105, ack 7, win 512, options [nop,nop,TS val 1 ecr 2], length 5")
            .orElseThrow();
    assertEquals(
        new Capture.Packet(
            1700000000.123456,
            "127.0.0.1",
            41234,
            "127.0.0.1",
            39999,
            "P.",
            100,
            105,
            7,
            5,
            512,
            -1),
        p);
    assertEquals("PSH ACK", p.flagNames());
    Capture.Packet ack =
        Capture.parse(
                "1700000000.2 IP 127.0.0.1.39999 > 127.0.0.1.41234: Flags [.], ack 105, "
                    + "win 512, length 0")
            .orElseThrow();
    assertEquals(-1, ack.seq());
    assertEquals("ACK", ack.flagNames());
    Capture.Packet v6 =
        Capture.parse(
                "1700000000.3 IP6 ::1.5000 > ::1.41234: Flags [R.], seq 0, ack 9, win 0, "
                    + "length 0")
            .orElseThrow();
    assertEquals("::1", v6.src());
    assertEquals(5000, v6.srcPort());
    assertEquals("RST ACK", v6.flagNames());
    assertEquals(
        "SYN",
        Capture.parse("1.0 IP 1.2.3.4.1 > 1.2.3.4.2: Flags [S], seq 5, win 1, length 0")
            .orElseThrow()
            .flagNames());
    assertEquals(
        "SYN ACK",
        Capture.parse("1.0 IP 1.2.3.4.1 > 1.2.3.4.2: Flags [S.], seq 5, ack 6, win 1, length 0")
            .orElseThrow()
            .flagNames());
    assertEquals(
        "FIN ACK",
        Capture.parse("1.0 IP 1.2.3.4.1 > 1.2.3.4.2: Flags [F.], seq 5, ack 6, win 1, length 0")
            .orElseThrow()
            .flagNames());
    assertEquals(
        "RST",
        Capture.parse("1.0 IP 1.2.3.4.1 > 1.2.3.4.2: Flags [R], seq 5, win 0, length 0")
            .orElseThrow()
            .flagNames());
    assertTrue(Capture.parse("listening on lo, link-type EN10MB").isEmpty());
    assertTrue(Capture.parse("1.0 IP 127.0.0.1.53 > 127.0.0.1.9: UDP, length 4").isEmpty());
  }

  @Test
  void reasonIsOneSentenceWhenUnavailable() {
    Capture.unavailableReason()
        .ifPresent(r -> assertTrue(r.startsWith("no packet capture here: "), r));
  }

  @Test
  void helloThenResetIsOnTheWire() throws Exception {
    assumeCapture();
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      long t = System.nanoTime();
      Capture cap = Capture.start("lo", listener.getLocalPort());
      double startMs = (System.nanoTime() - t) / 1e6;
      double t0 = now();
      int clientPort;
      List<Ladder.Mark> marks = new ArrayList<>();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
          Socket server = listener.accept()) {
        clientPort = client.getLocalPort();
        marks.add(new Ladder.Mark(0, Side.CLIENT, "connect() = 0", false));
        OutputStream out = client.getOutputStream();
        double tw = (now() - t0) * 1000;
        out.write("hello".getBytes(StandardCharsets.UTF_8));
        marks.add(new Ladder.Mark(tw, Side.CLIENT, "write(fd, \"hello\", 5) = 5", false));
        InputStream in = server.getInputStream();
        byte[] buf = new byte[5];
        int n = in.readNBytes(buf, 0, 5);
        marks.add(
            new Ladder.Mark((now() - t0) * 1000, Side.SERVER, "read(fd, buf, 5) = " + n, false));
        client.setSoLinger(true, 0);
        marks.add(
            new Ladder.Mark(
                (now() - t0) * 1000,
                Side.CLIENT,
                "setsockopt(SO_LINGER {1,0}); close(fd) = 0",
                false));
        client.close();
        long s = System.nanoTime();
        List<Capture.Packet> packets = cap.stop();
        double stopMs = (System.nanoTime() - s) / 1e6;
        System.out.printf(
            "capture: ready after %.1f ms (start() %.1f ms), stop %.1f ms%n",
            cap.readyMillis(), startMs, stopMs);
        Table table = Capture.table(packets, t0, clientPort);
        System.out.println(table.printAll());
        List<String> flags = table.stringColumn("flags").asList();
        assertTrue(flags.contains("SYN"), flags::toString);
        assertTrue(flags.contains("SYN ACK"), flags::toString);
        assertTrue(flags.contains("ACK"), flags::toString);
        assertTrue(flags.contains("PSH ACK"), flags::toString);
        assertTrue(flags.stream().anyMatch(f -> f.startsWith("RST")), flags::toString);
        assertFalse(flags.stream().anyMatch(f -> f.contains("FIN")), flags::toString);
        int data = flags.indexOf("PSH ACK");
        assertEquals(5, table.intColumn("length").get(data));
        assertEquals("1:6", table.stringColumn("seq").get(data));
        assertEquals("client", table.stringColumn("from").get(data));
        assertEquals("0", table.stringColumn("seq").get(flags.indexOf("SYN")));
        List<Ladder.Arrow> arrows = Capture.arrows(packets, t0, clientPort);
        assertTrue(arrows.stream().anyMatch(a -> a.label().equals("PSH ACK len 5")));
        assertTrue(
            arrows.stream()
                .filter(a -> a.label().startsWith("RST"))
                .allMatch(Ladder.Arrow::highlight));
        System.out.println(
            Ladder.text("connect, write \"hello\", close with linger 0", arrows, marks));
        Ladder.save(
            Ladder.svg("connect, write \"hello\", close with linger 0", arrows, marks),
            java.nio.file.Path.of("target/ladder-hello-rst.svg"));
      } finally {
        cap.close();
      }
    }
  }

  @Test
  void noSynMissedIn50FreshCaptures() throws Exception {
    assumeCapture();
    List<Double> ready = new ArrayList<>();
    List<Double> total = new ArrayList<>();
    int missed = 0;
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      for (int i = 0; i < 50; i++) {
        long t = System.nanoTime();
        try (Capture cap = Capture.start("lo", listener.getLocalPort())) {
          ready.add((System.nanoTime() - t) / 1e6);
          int clientPort;
          try (Socket c = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
              Socket s = listener.accept()) {
            clientPort = c.getLocalPort();
          }
          List<Capture.Packet> packets = cap.stop();
          total.add((System.nanoTime() - t) / 1e6);
          boolean syn =
              packets.stream().anyMatch(p -> p.flags().equals("S") && p.srcPort() == clientPort);
          if (!syn) {
            missed++;
          }
        }
      }
    }
    Collections.sort(ready);
    Collections.sort(total);
    System.out.printf(
        "50 fresh captures: start-to-ready median %.1f ms (min %.1f, max %.1f); "
            + "start+connect+stop median %.1f ms (max %.1f); SYN missed %d/50%n",
        ready.get(25), ready.get(0), ready.get(49), total.get(25), total.get(49), missed);
    assertEquals(0, missed, "SYNs missed");
  }

  @Test
  void closeStopsARunningCaptureAndStopTwiceIsHarmless() {
    assumeCapture();
    Capture cap = Capture.start("lo", 9);
    assertTrue(cap.running());
    cap.close();
    assertFalse(cap.running());
    assertEquals(List.of(), cap.stop());
    assertTrue(
        cap.stderr().stream().anyMatch(l -> l.startsWith("listening on")), cap.stderr()::toString);
  }
}
