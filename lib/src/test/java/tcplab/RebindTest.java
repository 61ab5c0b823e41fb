package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(30)
class RebindTest {
  @Test
  void timeWaitBlocksRebindWithoutReuseAddrOnly() {
    Rebind.quickRestart(); // warm-up: class loading opens a few fds once
    int fds = SigPipeTest.fdCount();
    Table t = Rebind.quickRestart();
    System.out.println(t.printAll());
    assertTrue(t.name().contains("SO_REUSEADDR ON by default"), t.name());
    assertTrue(
        t.getString(1, "/proc/net/tcp afterwards").startsWith("server end TIME_WAIT"),
        t.getString(1, "/proc/net/tcp afterwards"));
    assertEquals("-1 EADDRINUSE (98)", t.getString(3, "returned / errno"));
    assertEquals("java.net.BindException: Address already in use", t.getString(3, "Java view"));
    assertEquals("0", t.getString(4, "returned / errno"));
    assertTrue(t.getString(4, "Java view").startsWith("bound to port"));
    assertEquals(0, ProcessHandle.current().children().count());
    assertEquals(fds, SigPipeTest.fdCount(), 2);
  }

  @Test
  void badDeadlineIsOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rebind.quickRestart(30_001));
    assertEquals("stepDeadlineMillis must be between 1 and 30000 ms; got 30001.", e.getMessage());
  }
}
