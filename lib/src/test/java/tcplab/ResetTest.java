package tcplab;

import static tcplab.testing.ScenarioAssertions.assertJava;
import static tcplab.testing.ScenarioAssertions.runClean;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Notebook 03: a peer that resets (RST): read or write first. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResetTest {

  @Test
  void readAfterResetGetsEconnresetOnceThenEof() {
    Result r = runClean(Lesson.readAfterReset());
    assertJava(
        r,
        2,
        "SocketException: Connection reset",
        3,
        "SocketException: Connection reset",
        4,
        "SocketException: Broken pipe");
  }

  @Test
  void writeAfterResetGetsEconnresetThenEpipe() {
    Result r = runClean(Lesson.writeAfterReset());
    assertJava(
        r,
        2,
        "SocketException: Connection reset by peer",
        3,
        "SocketException: Broken pipe",
        4,
        "-1 (end of stream)");
  }

  @Test
  void javaCloseWithUnreadDataSendsFinFirst() {
    Result r = runClean(Lesson.closeWithUnreadData());
    assertJava(r, 3, "-1 (end of stream)", 5, "SocketException: Broken pipe");
  }
}
