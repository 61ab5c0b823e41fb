package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(30)
class RebindTest {
  @Test
  void rebindNeedsReuseAddrOnBothListeners() {
    Rebind.quickRestart(); // warm-up: class loading opens a few fds once
    int fds = SigPipeTest.fdCount();
    Table t = Rebind.quickRestart();
    System.out.println(t.printAll());
    assertTrue(t.name().contains("SO_REUSEADDR ON by default"), t.name());
    // round 1: old listener without SO_REUSEADDR, its end in TIME_WAIT: both re-binds refused
    assertEquals("setsockopt(SO_REUSEADDR, 0); bind; listen", t.getString(0, "call (C terms)"));
    assertTrue(
        t.getString(2, "/proc/net/tcp afterwards").startsWith("server end TIME_WAIT"),
        t.getString(2, "/proc/net/tcp afterwards"));
    assertEquals("-1 EADDRINUSE (98)", t.getString(4, "returned / errno"));
    assertEquals("java.net.BindException: Address already in use", t.getString(4, "Java view"));
    assertTrue(t.getString(5, "call (C terms)").startsWith("setsockopt(SO_REUSEADDR, 1)"));
    assertEquals("-1 EADDRINUSE (98)", t.getString(5, "returned / errno"));
    // round 2: old listener with it: refused without the flag, bound with it
    assertEquals("setsockopt(SO_REUSEADDR, 1); bind; listen", t.getString(6, "call (C terms)"));
    assertEquals("-1 EADDRINUSE (98)", t.getString(10, "returned / errno"));
    assertEquals("0", t.getString(11, "returned / errno"));
    assertTrue(t.getString(11, "Java view").startsWith("bound to port"));
    assertTrue(t.getString(11, "/proc/net/tcp afterwards").contains("TIME_WAIT"));
    // round 3: flag on both, the old connection still ESTABLISHED: bound with the flag
    assertTrue(t.getString(13, "/proc/net/tcp afterwards").startsWith("server end ESTABLISHED"));
    assertEquals("-1 EADDRINUSE (98)", t.getString(15, "returned / errno"));
    assertEquals("0", t.getString(16, "returned / errno"));
    assertTrue(t.getString(16, "/proc/net/tcp afterwards").contains("ESTABLISHED"));
    assertEquals(17, t.rowCount());
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
