package tcplab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated // the parameters state is one per JVM: no other test may run beside this one
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ParametersTest {
  @AfterEach
  void leaveSet() {
    Parameters.begin();
    Parameters.end();
  }

  @Test
  void aValueOutOfRangeIsOneSentenceWithoutStackTrace() {
    Parameters.begin();
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () -> Parameters.end(Parameters.range("chunkBytes", 0, 1, 16 << 20, "bytes")));
    assertEquals("chunkBytes must be between 1 and 16777216 bytes; got 0.", e.getMessage());
    assertEquals(e.getMessage(), e.toString(), "the printout is the sentence alone");
    assertEquals(0, e.getStackTrace().length, "no stack trace");
    assertTrue(!Parameters.isSet(), "a failed check leaves the parameters unset");
  }

  @Test
  void entryPointsRefuseWhileTheParametersCellHasNotFinished() {
    Parameters.begin(); // e.g. the cell's next line did not compile: end() is never reached
    RuntimeException e =
        assertThrows(
            RuntimeException.class, () -> Check.range("stepDeadlineMillis", 2000, 1, 30_000, "ms"));
    assertEquals(Parameters.RUN_FIRST, e.getMessage());
    assertEquals(0, e.getStackTrace().length);
    RuntimeException scenario =
        assertThrows(
            RuntimeException.class, () -> Scenario.named("refused").client().write("hello").run());
    assertEquals(Parameters.RUN_FIRST, scenario.getMessage());
  }

  @Test
  void allInRangeSetsTheParameters() {
    Parameters.begin();
    Parameters.end(
        Parameters.range("stepDeadlineMillis", 2000, 1, 30_000, "ms"),
        Parameters.length("message", "hello", 1, 60_000),
        Parameters.each("pausesMillis", new int[] {0, 1, 10, 100}, 0, 1000, 8, "ms"));
    assertTrue(Parameters.isSet());
    assertDoesNotThrow(() -> Check.range("stepDeadlineMillis", 2000, 1, 30_000, "ms"));
  }

  @Test
  void arraysAndTextsNameTheParameter() {
    assertEquals(
        "pausesMillis (each value) must be between 0 and 1000 ms; got 5000.",
        assertThrows(
                RuntimeException.class,
                () -> Parameters.each("pausesMillis", new int[] {0, 5000}, 0, 1000, 8, "ms"))
            .getMessage());
    assertEquals(
        "pausesMillis must hold between 1 and 8 values; got 0.",
        assertThrows(
                RuntimeException.class,
                () -> Parameters.each("pausesMillis", new int[0], 0, 1000, 8, "ms"))
            .getMessage());
    assertEquals(
        "message must be between 1 and 60000 characters long; got 0.",
        assertThrows(RuntimeException.class, () -> Parameters.length("message", "", 1, 60_000))
            .getMessage());
  }

  @Test
  void aCellThatUsesAFailedCellsValueSaysWhatToRun() {
    Parameters.begin();
    assertEquals(
        Parameters.RUN_FIRST,
        assertThrows(RuntimeException.class, () -> Parameters.need(null)).getMessage());
    Parameters.end();
    RuntimeException e = assertThrows(RuntimeException.class, () -> Parameters.need(null));
    assertTrue(e.getMessage().startsWith("Run the cell above first"), e.getMessage());
    assertEquals("x", Parameters.need("x"));
  }
}
