package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Html;
import tcplab.observe.Capture;
import tech.tablesaw.api.Table;

/** The packets each lesson scenario puts on the wire (needs capture: root or CAP_NET_RAW). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WireTest {

  @BeforeAll
  static void needsCapture() {
    Assumptions.assumeTrue(
        Capture.unavailableReason().isEmpty(), () -> Capture.unavailableReason().get());
  }

  private static List<String> flags(Table packets, String from) {
    return packets
        .where(packets.stringColumn("from").isEqualTo(from))
        .stringColumn("flags")
        .asList();
  }

  @Test
  void aKillWithUnreadDataSendsRstAndNoFin() {
    Result r = Lesson.crashWithUnreadData().run();
    for (boolean javaPass : new boolean[] {false, true}) {
      List<String> server = flags(r.packets(javaPass), "server");
      assertTrue(server.stream().anyMatch(f -> f.startsWith("RST")), server.toString());
      assertTrue(server.stream().noneMatch(f -> f.startsWith("FIN")), server.toString());
    }
  }

  @Test
  void halfCloseSendsOneFinAndDataFlowsBackAfterIt() {
    Table p = Lesson.halfClose().run().packets();
    List<String> client = flags(p, "client");
    assertEquals(1, client.stream().filter(f -> f.startsWith("FIN")).count(), client.toString());
    int fin = -1;
    for (int i = 0; i < p.rowCount(); i++) {
      if (p.getString(i, "from").equals("client") && p.getString(i, "flags").startsWith("FIN")) {
        fin = i;
      }
    }
    boolean dataAfter = false;
    for (int i = fin + 1; i < p.rowCount(); i++) {
      dataAfter |= p.getString(i, "from").equals("server") && p.intColumn("length").getInt(i) == 4;
    }
    assertTrue(dataAfter, "the server's 4-byte answer follows the client's FIN:\n" + Html.text(p));
  }

  @Test
  void javaCloseWithUnreadDataSendsFinThenRst() {
    Result r = Lesson.closeWithUnreadData().run();
    assertEquals(
        List.of("RST ACK"),
        flags(r.packets(false), "server").stream()
            .filter(f -> f.startsWith("RST") || f.startsWith("FIN"))
            .toList(),
        "C close: a bare RST");
    assertEquals(
        List.of("FIN ACK", "RST ACK"),
        flags(r.packets(true), "server").stream()
            .filter(f -> f.startsWith("RST") || f.startsWith("FIN"))
            .toList(),
        "Java close: FIN, then RST");
  }

  @Test
  void aWriteToAClosedPeerDrawsAnRst() {
    Table p = Lesson.writeAfterPeerClosed().run().packets();
    List<String> server = flags(p, "server");
    assertTrue(server.contains("FIN ACK"), server.toString());
    assertTrue(server.stream().anyMatch(f -> f.startsWith("RST")), server.toString());
  }

  @Test
  void everyScenarioCapturesItsSyn() {
    for (int i = 0; i < 25; i++) { // 25 scenarios x 2 passes = 50 captures
      Result r = Lesson.writeAfterOwnShutdown().run();
      for (boolean javaPass : new boolean[] {false, true}) {
        assertEquals("SYN", r.packets(javaPass).getString(0, "flags"), "run " + i);
      }
    }
  }
}
