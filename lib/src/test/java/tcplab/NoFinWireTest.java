package tcplab;

import tcplab.observe.Capture;
import tcplab.testing.NetnsTables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Packets of the lesson-17 showcase, captured inside the client host (ROOT layer + tcpdump only). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NoFinWireTest {
  @BeforeAll
  static void needsRootAndCapture() {
    NetnsTables.assumeRoot();
    Assumptions.assumeTrue(Capture.unavailableReason().isEmpty(), () -> Capture.unavailableReason().get());
    Assumptions.assumeTrue(Layers.forced() == null, "a layer is forced");
  }

  @AfterEach
  void nothingLeftBehind() throws IOException, InterruptedException {
    assertEquals(List.of(), TwoHosts.ownNamespaces());
    String list = TwoHosts.run(List.of(TwoHosts.which("ip"), "netns", "list"), null);
    assertFalse(list.contains("tcplab-" + ProcessHandle.current().pid() + "-"), list);
    long tcpdumps = ProcessHandle.current().descendants()
        .filter(p -> p.isAlive() && p.info().command().map(c -> c.endsWith("tcpdump")).orElse(false)).count();
    assertEquals(0, tcpdumps, "no tcpdump child left");
  }

  @Test
  void retransmissionsOfTheSameSegmentAndNothingFromTheServer() {
    Wire w = NoFin.retransmitUntilTimeoutWire(2);
    assertTrue(w.hasPackets(), w.note());
    assertTrue(w.table().name().startsWith("[real kernels, root] "), w.table().name());
    Map<Long, Long> dataBySeq = w.raw().stream().filter(p -> p.length() > 0 && p.srcPort() != TwoHosts.PORT)
        .collect(Collectors.groupingBy(Capture.Packet::seq, Collectors.counting()));
    assertTrue(dataBySeq.values().stream().anyMatch(n -> n >= 3),
        "the 16 bytes sent once and retransmitted at least twice with the same seq: " + dataBySeq + "\n"
            + w.packets().print());
    assertTrue(w.raw().stream().noneMatch(p -> p.srcPort() == TwoHosts.PORT && p.closes()),
        "no FIN/RST from the server\n" + w.packets().print());
    assertTrue(w.svg().contains("len 16"), "the ladder shows the data segments");
    assertTrue(w.table().print().contains("Connection timed out"), w.table().print());
    assertTrue(w.text().contains("PSH ACK len 16"), w.text());
  }

  @Test
  void theRebootedServerAnswersTheClientsDataWithRst() {
    Wire w = Reboot.idleThenWriteWire();
    assertTrue(w.hasPackets(), w.note());
    List<Capture.Packet> p = w.raw();
    int data = -1;
    for (int i = 0; i < p.size(); i++) {
      if (p.get(i).srcPort() != TwoHosts.PORT && p.get(i).length() == 16) {
        data = i;
        break;
      }
    }
    assertTrue(data >= 0, "the client's 16 bytes\n" + w.packets().print());
    boolean rst = false;
    for (int i = data + 1; i < p.size(); i++) {
      rst |= p.get(i).srcPort() == TwoHosts.PORT && p.get(i).flags().contains("R");
    }
    assertTrue(rst, "an RST from the rebooted server after the data\n" + w.packets().print());
  }
}
