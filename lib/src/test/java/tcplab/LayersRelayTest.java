package tcplab;

import tcplab.testing.Leaks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;
import static tcplab.testing.NetnsTables.result;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** The RELAY layer, forced with -Dtcplab.layer=relay: runs on every machine, honest labels, bounded "never". */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LayersRelayTest {
  private static final String RELAY = "[relay stand-in: not a real cut] ";
  private static String before;
  private long fds;
  private int threads;
  private long children;

  @BeforeAll
  static void forceRelay() {
    before = System.getProperty(Layers.PROPERTY);
    System.setProperty(Layers.PROPERTY, "relay");
    NoFin.blockedRead(100); // warm up: classes and jars (JNA) opened once are not leaks
  }

  @AfterAll
  static void unforce() {
    if (before == null) {
      System.clearProperty(Layers.PROPERTY);
    } else {
      System.setProperty(Layers.PROPERTY, before);
    }
  }

  @BeforeEach
  void count() {
    fds = Leaks.fds();
    threads = Leaks.threads();
    children = ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
  }

  @AfterEach
  void nothingLeftBehind(org.junit.jupiter.api.TestInfo info) throws InterruptedException {
    long end = System.nanoTime() + 3_000_000_000L; // readers end at their SO_TIMEOUT, pumps at close
    while (System.nanoTime() < end && (Leaks.threads() > threads + 2 || Leaks.fds() > fds + 2)) {
      Thread.sleep(50);
    }
    assertTrue(Leaks.threads() <= threads + 2, info.getDisplayName() + " threads: " + threads + " before, " + Leaks.threads() + " after");
    assertTrue(Leaks.fds() <= fds + 2, info.getDisplayName() + " fds: " + fds + " before, " + Leaks.fds() + " after");
    assertTrue(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count() <= children,
        "no child process");
  }

  private static void relayTable(Table t) {
    assertTrue(t.name().startsWith(RELAY), t.name());
    Row last = t.row(t.rowCount() - 1);
    assertEquals("what differs from a real cut", last.getString(Timeline.WHAT), t.print());
  }

  @Test
  void layerIsForcedAndPrivilegesSaySo() {
    assertEquals(Layers.Layer.RELAY, Layers.layer());
    String p = Layers.privileges();
    assertTrue(p.startsWith("tcplab uses [relay stand-in: not a real cut] (forced"), p);
    assertTrue(p.contains("] relay"), p);
    System.setProperty(Layers.PROPERTY, "tcp");
    try {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Layers::layer);
      assertEquals("TCPLAB_LAYER (or -Dtcplab.layer) must be root, userns or relay; got \"tcp\".", e.getMessage());
    } finally {
      System.setProperty(Layers.PROPERTY, "relay");
    }
  }

  @Test
  void blockedReadTimesOutAndBothStayEstablished() {
    Table t = NoFin.blockedRead(1000);
    relayTable(t);
    near(1.0, at(t, "Read timed out"), "SO_TIMEOUT", t);
    result(t, "Read timed out", "ESTABLISHED", "ESTABLISHED");
  }

  @Test
  void noRetransmissionsAndTheReadEndsAtItsDeadline() {
    long start = System.nanoTime();
    Table t = NoFin.retransmitUntilTimeout(2);
    double wall = (System.nanoTime() - start) / 1e9;
    relayTable(t);
    assertTrue(t.name().contains("no retransmissions"), t.name());
    double deadline = at(t, "Read timed out");
    assertTrue(deadline > 3.0 && deadline < 5.5, "bounded deadline: model 3.3 s + 1 s\n" + t.print());
    assertTrue(!t.print().contains("Connection timed out (not"), t.print());
    at(t, "unacked=0");
    assertTrue(t.row(t.rowCount() - 1).getString(Timeline.RESULT).contains("Connection timed out after about 3."),
        t.print());
    assertTrue(wall < 8, "wall " + wall);
  }

  @Test
  void timeToDetectOnlySoTimeoutAndHeartbeatFire() {
    long start = System.nanoTime();
    Table t = NoFin.timeToDetect();
    double wall = (System.nanoTime() - start) / 1e9;
    assertTrue(t.name().startsWith(RELAY), t.name());
    assertEquals(8, t.rowCount(), t.print());
    for (int i = 0; i < 5; i++) { // retries2 1, 2, 3, TCP_USER_TIMEOUT, keepalive
      assertTrue(t.row(i).getString("the application saw").startsWith("never (the relay's kernel"), t.print());
      assertTrue(Double.isNaN(t.row(i).getDouble("measured (s)")), t.print());
    }
    near(1.0, t.row(5).getDouble("measured (s)"), "SO_TIMEOUT", t);
    assertTrue(t.row(6).getString("the application saw").contains("no pong"), t.print());
    assertTrue(t.row(6).getDouble("measured (s)") < 1.0, t.print());
    assertTrue(t.row(7).getString("the application saw").contains("only SO_TIMEOUT and the heartbeat fire"),
        t.print());
    assertTrue(wall < 8, "never rows are bounded, all run in parallel: " + wall + " s");
  }

  @Test
  void aShortOutageLosesNothing() {
    Table t = NoFin.shortOutageLosesNothing(500);
    relayTable(t);
    double got = at(t, "bytes \"abc\"");
    assertTrue(got >= 0.45 && got < 1.0, "delivered at the heal: " + got + "\n" + t.print());
  }

  @Test
  void idleThenWriteSucceedsThenResetThenBrokenPipe() {
    Table t = Reboot.idleThenWrite();
    relayTable(t);
    double write = at(t, "16 bytes"), reset = at(t, "Connection reset");
    assertTrue(reset - write < 0.5, t.print());
    assertTrue(at(t, "Broken pipe") >= reset, t.print());
  }

  @Test
  void unackedDataIsResetAtTheReboot() {
    Table t = Reboot.unackedData(1000);
    relayTable(t);
    near(1.0, at(t, "Connection reset"), "reset at the reboot", t);
  }

  @Test
  void readersWithAndWithoutKeepalive() {
    Table without = Reboot.readerWithoutKeepalive(1000);
    relayTable(without);
    result(without, "Read timed out", "ESTABLISHED", "CLOSED");
    Table with = Reboot.readerWithKeepalive();
    relayTable(with);
    double never = at(with, "never (the relay's kernel answers the probes)");
    assertTrue(never > 2.5 && never < 4, "bounded by the 3 s deadline\n" + with.print());
  }

  @Test
  void listensAgainOldResetNewWorks() {
    Table t = Reboot.listensAgain();
    relayTable(t);
    at(t, "Connection reset");
    at(t, "the server read 5 bytes \"hello\"");
  }

  @Test
  void wireWithoutRootIsTheTableWithANote() {
    Wire w = Reboot.idleThenWriteWire();
    assertTrue(w.table().name().startsWith(RELAY));
    assertTrue(!w.hasPackets() && w.note().contains("capture needs the root layer"), w.note());
    assertTrue(w.svg().startsWith("<svg"));
  }

  @Test
  void parametersAreCheckedBeforeAnyLayer() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NoFin.blockedRead(5));
    assertEquals("soTimeoutMillis must be between 100 and 10000 ms; got 5.", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NoFin.timeToDetect(new int[] {9}, 1000, 1000));
  }
}
