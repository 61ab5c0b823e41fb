package tcplab;

import java.util.concurrent.atomic.AtomicInteger;
import tcplab.text.Text;

/**
 * The parameters cell of a notebook, checked in that cell. Its first statement is {@link #begin()}
 * (the parameters are now unset), its last is {@link #end} with one {@link #range} per parameter
 * (all in range: the parameters are set). A value out of range stops the cell with one sentence
 * naming the parameter and its range, before any scenario runs; a cell that does not compile (say
 * {@code 16k}) never reaches {@code end}, so the old values are not silently kept: while the
 * parameters are unset the lab's entry points refuse to run ({@link #requireSet()}), with one
 * sentence.
 *
 * <pre>{@code
 * Parameters.begin();
 * int stepDeadlineMillis = 2000;   // no call waits longer than this, 1 .. 30000 ms
 * Parameters.end(
 *     Parameters.range("stepDeadlineMillis", stepDeadlineMillis, 1, 30_000, "ms"));
 * }</pre>
 */
public final class Parameters {
  private Parameters() {}

  private static final int NEVER = 0;
  private static final int UNSET = 1;
  private static final int SET = 2;
  private static final AtomicInteger STATE = new AtomicInteger(NEVER);

  /**
   * The sentence shown (in English; {@code param.runFirst} in the bundle) when the lab is used
   * while the parameters cell has not finished.
   */
  public static final String RUN_FIRST =
      "Run the parameters cell first: it did not finish (fix what it reports, then run it again).";

  // region begin-end
  /**
   * First statement of a parameters cell: until {@link #end} succeeds, the parameters are unset.
   */
  public static void begin() {
    STATE.set(UNSET);
  }

  /** Last statement of a parameters cell: every {@link #range} passed, the parameters are set. */
  public static void end(Checked... checked) {
    STATE.set(SET);
  }

  // endregion

  /** Refuses (one sentence, no stack trace) while a parameters cell has begun and not ended. */
  public static void requireSet() {
    if (STATE.get() == UNSET) {
      throw new ParameterProblem(Text.get("param.runFirst"));
    }
  }

  /**
   * The value a cell above produced, for a cell that uses it: if that cell failed (the value is
   * null), one sentence says what to run again instead of a NullPointerException.
   */
  public static <T> T need(T fromCellAbove) {
    if (fromCellAbove == null) {
      requireSet();
      throw new ParameterProblem(Text.get("param.cellAbove"));
    }
    return fromCellAbove;
  }

  /** True unless a parameters cell has begun and not ended. */
  public static boolean isSet() {
    return STATE.get() != UNSET;
  }

  /** One parameter that passed its check. */
  public static final class Checked {
    private final String name;

    private Checked(String name) {
      this.name = name;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * {@code value} lies in [min, max], or the cell stops with one sentence naming the parameter and
   * the range.
   */
  public static Checked range(String name, long value, long min, long max, String unit) {
    if (value < min || value > max) {
      throw new ParameterProblem(
          Text.get("param.rangeUnit", name, min, max, unit.isEmpty() ? "" : " " + unit, value));
    }
    return new Checked(name);
  }

  /**
   * Every value of the array lies in [min, max], and there are between 1 and {@code maxCount} of
   * them.
   */
  public static Checked each(
      String name, int[] values, long min, long max, int maxCount, String unit) {
    if (values == null || values.length < 1 || values.length > maxCount) {
      throw new ParameterProblem(
          Text.get("param.count", name, maxCount, values == null ? 0 : values.length));
    }
    for (int v : values) {
      range(Text.get("param.eachValue", name), v, min, max, unit);
    }
    return new Checked(name);
  }

  /** A text whose length lies in [min, max] characters. */
  public static Checked length(String name, String value, int min, int max) {
    int n = value == null ? 0 : value.length();
    if (n < min || n > max) {
      throw new ParameterProblem(Text.get("param.length", name, min, max, n));
    }
    return new Checked(name);
  }
}
