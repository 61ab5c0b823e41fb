package tcplab;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.ScenarioAssertions.assertJava;
import static tcplab.testing.ScenarioAssertions.runClean;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Notebook 04: shutdown(SHUT_WR), shutdown(SHUT_RD), the orderly close and TIME_WAIT. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HalfCloseTest {

  @Test
  void thePeerReadsEofAndStillAnswers() {
    Result r = runClean(Lesson.halfClose());
    assertJava(r, 6, "4 \"resp\"", 7, "-1 (end of stream)");
  }

  @Test
  void writingAfterMyOwnShutdownIsABrokenPipe() {
    Result r = runClean(Lesson.writeAfterOwnShutdown());
    assertJava(r, 1, "SocketException: Broken pipe");
  }

  @Test
  void shutdownReadOnLinuxStillDeliversData() {
    Result r = runClean(Lesson.shutdownRead());
    assertJava(r, 3, "-1 (end of stream)"); // Java discards pending data after shutdownInput()
  }

  @Test
  void theSideThatClosesFirstWaitsInTimeWait() {
    Result r = runClean(Lesson.orderlyClose());
    assertTrue(r.cViews().get(4).startsWith("reached"), r.cViews().get(4));
  }
}
