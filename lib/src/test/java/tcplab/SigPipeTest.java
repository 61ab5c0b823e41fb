package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(30)
class SigPipeTest {
  static int fdCount() {
    return Objects.requireNonNull(new File("/proc/self/fd").list()).length;
  }

  @Test
  void bashDiesWith141JvmSurvivesAndNoSignalSuppressesSigpipe() {
    SigPipe.run(); // warm-up: class loading and JNA open a few fds once
    int fds = fdCount();
    Table t = SigPipe.run();
    System.out.println(t.printAll());
    assertEquals(6, t.rowCount());
    assertEquals("$? = 0", t.getString(0, "returned / errno"));
    assertTrue(
        t.getString(1, "what happened").startsWith("exit status 141 = 128 + 13"),
        t.getString(1, "what happened"));
    assertEquals("raised: killed by it", t.getString(1, "SIGPIPE"));
    assertEquals("no", t.getString(1, "process survived"));
    assertTrue(t.getString(0, "who").contains("SIGPIPE default"), t.getString(0, "who"));
    for (int row : new int[] {2, 4}) {
      assertEquals("4", t.getString(row, "returned / errno"));
      assertEquals("-1 EPIPE (32)", t.getString(row + 1, "returned / errno"));
      assertTrue(t.getString(row + 1, "process survived").startsWith("yes"));
    }
    assertEquals("raised", t.getString(3, "SIGPIPE"));
    assertEquals("not raised", t.getString(5, "SIGPIPE"));
    assertTrue(t.getString(2, "who").contains("SIGPIPE caught"));
    assertEquals(0, ProcessHandle.current().children().count(), "no child left alive");
    assertEquals(fds, fdCount(), 2);
  }

  @Test
  void badDeadlineIsOneSentence() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigPipe.run(0));
    assertEquals("stepDeadlineMillis must be between 1 and 30000 ms; got 0.", e.getMessage());
  }
}
