package tcplab;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.ScenarioAssertions.assertJava;
import static tcplab.testing.ScenarioAssertions.runClean;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Notebook 02: a receiver process killed with SIGKILL, with and without unread data. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CrashedReceiverTest {

  @Test
  void unreadDataIsLostAndTheSenderIsReset() {
    Result r = runClean(Lesson.crashWithUnreadData());
    assertTrue(
        r.cViews().get(3).startsWith("killed by SIGKILL (exit status 137)"), r.cViews().get(3));
    assertJava(
        r,
        4,
        "SocketException: Connection reset",
        5,
        "SocketException: Broken pipe",
        6,
        "SocketException: Connection reset");
  }

  @Test
  void aReceiverThatReadEverythingSendsFin() {
    Result r = runClean(Lesson.crashAfterReadingEverything());
    assertJava(r, 4, "-1 (end of stream)", 5, "returned (void)", 6, "SocketException: Broken pipe");
  }

  @Test
  void anApplicationAcknowledgementRevealsTheLoss() {
    Result r = runClean(Lesson.applicationAck());
    assertJava(r, 3, "6 \"ack 1\n\"", 7, "SocketException: Connection reset");
  }
}
