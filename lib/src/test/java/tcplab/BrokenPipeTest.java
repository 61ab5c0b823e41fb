package tcplab;

import static tcplab.testing.ScenarioAssertions.assertJava;
import static tcplab.testing.ScenarioAssertions.runClean;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Notebook 03: writing to a peer that closed (FIN), and the lesson's own experiments. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BrokenPipeTest {

  @Test
  void firstWriteAfterFinSucceedsTheNextGetsEpipe() {
    Result r = runClean(Lesson.writeAfterPeerClosed());
    assertJava(r, 4, "-1 (end of stream)", 5, "returned (void)", 6, "SocketException: Broken pipe");
  }

  @Test
  void lessonClient01SeesPeerConnectionClosed() {
    runClean(Lesson.lessonServerKilled(20));
  }

  @Test
  void lessonClient01TypingAfterTheKillReadsEofNotReset() {
    Result r = runClean(Lesson.lessonTypeAfterKill());
    assertJava(r, 6, "-1 (end of stream)");
  }
}
