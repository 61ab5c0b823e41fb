package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(30)
class SharedSocketTest {
  @Test
  void closeOfOneOfTwoFdsSendsNoFinButShutdownDoes() {
    SharedSocket.closeVersusShutdown(); // warm-up: class loading and JNA open a few fds once
    int fds = SigPipeTest.fdCount();
    Table t = SharedSocket.closeVersusShutdown();
    System.out.println(t.printAll());
    assertEquals(6, t.rowCount());
    String col = "returned / errno", proc = "/proc/net/tcp afterwards";
    assertEquals("0", t.getString(1, col), "close(original) returns 0");
    assertTrue(
        t.getString(1, "what happened").endsWith("/dev/null for the Java Socket"),
        t.getString(1, "what happened"));
    assertEquals("-1 EAGAIN (11)", t.getString(2, col), "no FIN after close of one of two fds");
    assertEquals("client ESTABLISHED · server ESTABLISHED", t.getString(2, proc));
    assertEquals("0", t.getString(3, col), "shutdown returns 0");
    assertEquals("0", t.getString(4, col), "the server reads EOF: FIN after shutdown");
    assertEquals("client FIN_WAIT2 · server CLOSE_WAIT", t.getString(4, proc));
    assertEquals("0", t.getString(5, col));
    assertEquals(0, ProcessHandle.current().children().count());
    assertEquals(fds, SigPipeTest.fdCount(), 2);
  }

  @Test
  void badDeadlineIsOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SharedSocket.closeVersusShutdown(-5));
    assertEquals("stepDeadlineMillis must be between 1 and 30000 ms; got -5.", e.getMessage());
  }
}
