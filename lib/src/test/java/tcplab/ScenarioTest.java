package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Html;
import tcplab.engine.Run;
import tcplab.testing.Leaks;

/** The scenario builder: bad input, deadlines, mismatches shown, nothing left behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScenarioTest {

  @Test
  void badParametersGetOneSentence() {
    Scenario s = Scenario.named("x");
    assertEquals(
        "stepDeadlineMillis must be between 1 and 30000 ms; got 0.",
        assertThrows(IllegalArgumentException.class, () -> s.stepDeadline(0)).getMessage());
    assertEquals(
        "max must be between 1 and 1048576 bytes; got -1.",
        assertThrows(IllegalArgumentException.class, () -> s.client().read(-1)).getMessage());
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> s.client().crash())
            .getMessage()
            .startsWith("crash() is for the server peer"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> s.client().awaitState("OPEN"))
            .getMessage()
            .startsWith("state must be one of"));
    assertThrows(IllegalStateException.class, () -> Scenario.named("empty").run());
  }

  @Test
  void scenariosAreFoundByNameAndAnUnknownNameGetsOneSentence() {
    assertEquals(
        "receiver crashes with ACKed but unread data", Lesson.byName("crashWithUnreadData").name());
    assertTrue(Lesson.names().contains("halfClose"));
    String msg =
        assertThrows(IllegalArgumentException.class, () -> Lesson.byName("crashedRecever"))
            .getMessage();
    assertTrue(
        msg.startsWith("scenario must be one of [applicationAck, ")
            && msg.endsWith("; got \"crashedRecever\"."),
        msg);
  }

  @Test
  void aReadThatGetsNothingEndsAtTheDeadline() {
    Result r =
        Scenario.named("silent peer").stepDeadline(200).client().read().expect("-1 EAGAIN").run();
    assertEquals(0, r.mismatches(), Html.text(r.calls()));
    assertTrue(r.cViews().get(0).endsWith("nothing within 200 ms"), r.cViews().get(0));
    assertEquals("SocketTimeoutException: Read timed out after 200 ms", r.javaViews().get(0));
  }

  @Test
  void aWrongExpectationIsShownNotHidden() {
    Result r = Scenario.named("wrong on purpose").client().write("abc").expect("4").run();
    assertEquals(1, r.mismatches());
    assertEquals("MISMATCH: expected 4", r.calls().stringColumn("check").get(0));
  }

  @Test
  void reRunsLeaveNothingBehind() throws Exception {
    Lesson.crashWithUnreadData().run(); // warm up: JNA, classes, thread pools of the JDK
    long fds = Leaks.fds();
    int threads = Leaks.threads();
    for (int i = 0; i < 10; i++) {
      Lesson.crashWithUnreadData().run();
      Lesson.halfClose().run();
      Scenario.named("blocked").stepDeadline(100).client().read().run();
    }
    assertEquals(0, ProcessHandle.current().children().count(), "child processes left");
    assertTrue(Leaks.fds() <= fds + 2, "fds before " + fds + ", after " + Leaks.fds());
    assertTrue(
        Run.until(2_000, () -> Leaks.threads() <= threads + 1),
        "threads before " + threads + ", after " + Leaks.threads());
  }
}
