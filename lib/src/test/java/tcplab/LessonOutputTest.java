package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(60)
class LessonOutputTest {
  @Test
  void glibcErrorPrintsProgramMessageStrerrorAndExitsWithItsStatus() {
    Set<Long> before = children(); // other tests' processes may still be ending
    Table t = LessonOutput.errorCalls();
    System.out.println(t.printAll());
    String java = tcplab.proc.ChildJvm.javaBinary();
    assertEquals(
        java + ": read failed: Connection reset by peer", t.getString(0, "its standard error"));
    assertEquals("1", t.getString(0, "exit status"));
    assertEquals(
        java + ": read failed: Connection reset by peer", t.getString(1, "its standard error"));
    assertEquals("0", t.getString(1, "exit status"), "error(0, ...) returns; the child exits 0");
    assertEquals("standard output: error() returned", t.getString(1, "then"), t::print);
    assertTrue(t.getString(0, "then").startsWith("nothing on standard output"), t::print);
    assertEquals(
        java + ": usage: reliable_client01 <IPaddress>", t.getString(2, "its standard error"));
    assertEquals("1", t.getString(2, "exit status"));
    for (int r = 0; r < 3; r++) {
      assertEquals("as expected", t.getString(r, "check"), t::print);
    }
    Set<Long> left = children();
    left.removeAll(before);
    assertEquals(Set.of(), left, "child processes of errorCalls left");
  }

  private static Set<Long> children() {
    Set<Long> pids = new HashSet<>();
    ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .forEach(p -> pids.add(p.pid()));
    return pids;
  }

  @Test
  void minusOneThroughTheLessonsFormats() {
    Table t = LessonOutput.minusOne();
    System.out.println(t.printAll());
    assertEquals("send into buffer -1 \\n", t.getString(0, "snprintf printed"));
    assertEquals("send into buffer 4294967295 \\n", t.getString(1, "snprintf printed"));
    assertEquals("send bytes: 4294967295 \\n", t.getString(3, "snprintf printed"));
    assertEquals("4294967295", t.getString(5, "snprintf printed"));
    assertEquals("18446744073709551615", t.getString(7, "snprintf printed"));
    assertEquals("Connection reset by peer", t.getString(8, "snprintf printed"));
    assertEquals("send error: Connection reset by peer (104)", t.getString(10, "snprintf printed"));
    for (int r = 0; r < t.rowCount(); r++) {
      assertEquals("as expected", t.getString(r, "check"), t::print);
    }
  }

  @Test
  void badDeadlineIsOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LessonOutput.errorCalls(999));
    assertEquals("deadlineMillis must be between 1000 and 60000 ms; got 999.", e.getMessage());
  }
}
