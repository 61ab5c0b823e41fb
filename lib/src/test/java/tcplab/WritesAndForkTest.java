package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.engine.WriteBurst;
import tcplab.observe.Spawn;

/** Issue 11 items 3 and 4: writes are not segments; a forked child holds the socket (Linux). */
@Timeout(120)
class WritesAndForkTest {

  @Test
  @Timeout(60)
  void readsAreNotWritesAndFramingRecoversTheMessages() {
    BufferedSend.Segments s = BufferedSend.writesAreNotSegments(100, 200, 1000);
    assertEquals(4, s.raw().size());
    for (WriteBurst.Pass p : s.raw()) {
      assertEquals(100, p.writeSizes().size());
      int total = p.writeSizes().stream().mapToInt(Integer::intValue).sum();
      assertEquals(total, p.readSizes().stream().mapToInt(Integer::intValue).sum());
      assertTrue(p.dataSegmentsOut() >= 1 && p.dataSegmentsOut() <= 100, "" + p.dataSegmentsOut());
      if (p.captured()) {
        assertEquals(total, p.segmentSizes().stream().mapToInt(Integer::intValue).sum());
        assertEquals(p.dataSegmentsOut(), p.segmentSizes().size());
      }
    }
    WriteBurst.Pass nagle = s.raw().get(0);
    assertTrue(nagle.dataSegmentsOut() < 100, "Nagle merged no writes: " + nagle.dataSegmentsOut());
    for (WriteBurst.Pass slow : List.of(s.raw().get(2), s.raw().get(3))) {
      int total = slow.writeSizes().stream().mapToInt(Integer::intValue).sum();
      assertEquals(
          (total + 999) / 1000, slow.readSizes().size(), "slow reader: " + slow.readSizes());
      assertTrue(BufferedSend.splitMessages(slow.writeSizes(), slow.readSizes()) > 0);
    }
    assertEquals("100 of 100", s.framing().stringColumn(2).get(1));
    assertTrue(!s.framing().stringColumn(2).get(0).startsWith("100"));
  }

  @Test
  void badParametersAreOneSentence() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> BufferedSend.writesAreNotSegments(0, 0, 10));
    assertTrue(e.getMessage().contains("messages"), e.getMessage());
  }

  @Test
  void aChildThatInheritedTheSocketsKeepsThemOpen() {
    ForkedChild.Outcome o = ForkedChild.serverKilled(false);
    var f = o.facts();
    assertEquals("2", f.get("childSocketFds"), o.summary());
    assertEquals("false", f.get("jdkCloexec"), "JDK sockets are not close-on-exec");
    assertEquals("EAGAIN", f.get("clientReadWhileChildLives"), o.summary());
    assertEquals("ESTABLISHED", f.get("clientStateWhileChildLives"));
    assertEquals("EADDRINUSE", f.get("bindWhileChildLives"), o.summary());
    assertEquals("EOF", f.get("clientReadAfterChild"), o.summary());
    assertEquals("0", f.get("bindAfterChild"), o.summary());
    if (f.containsKey("finsWhileChildLived")) {
      assertEquals("0", f.get("finsWhileChildLived"), o.summary());
      assertEquals("1", f.get("finsAfterChildExit"), o.summary());
    }
    assertTrue(!Spawn.running(Long.parseLong(f.get("childPid"))), "the child is gone");
  }

  @Test
  void closeOnExecKeepsTheChildOut() {
    ForkedChild.Outcome o = ForkedChild.serverKilled(true);
    var f = o.facts();
    assertEquals("0", f.get("childSocketFds"), o.summary());
    assertEquals("EOF", f.get("clientReadWhileChildLives"), o.summary());
    assertEquals("0", f.get("bindWhileChildLives"), o.summary());
    if (f.containsKey("finsWhileChildLived")) {
      assertEquals("1", f.get("finsWhileChildLived"), o.summary());
    }
    assertTrue(!Spawn.running(Long.parseLong(f.get("childPid"))), "the child is gone");
  }

  @Test
  @Timeout(30)
  void processBuilderPassesNoSocket() {
    var t = ForkedChild.processBuilder();
    assertEquals(2, t.rowCount(), t.print());
    assertTrue(t.stringColumn(3).get(1).endsWith(": no socket"), t.print());
    assertTrue(t.stringColumn(3).get(0).contains("without O_CLOEXEC"), t.print());
  }
}
