package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import tcplab.Result;
import tcplab.Scenario;
import tcplab.draw.Html;

/** Shared checks for the scenario test classes: no mismatch, and the Java view of each step. */
public final class ScenarioAssertions {
  private ScenarioAssertions() {}

  /**
   * Runs the scenario, asserts every C result is what Linux is expected to return, returns the
   * result.
   */
  public static Result runClean(Scenario s) {
    Result r = s.run();
    assertEquals(0, r.mismatches(), () -> r.summary() + "\n" + Html.text(r.calls()));
    return r;
  }

  /** Asserts the Java view of the given steps (index, expected text) . */
  public static void assertJava(Result r, Object... indexAndText) {
    List<String> views = r.javaViews();
    for (int i = 0; i < indexAndText.length; i += 2) {
      int step = (Integer) indexAndText[i];
      assertEquals(
          indexAndText[i + 1],
          views.get(step),
          "Java view of step " + step + "\n" + Html.text(r.calls()));
    }
  }
}
