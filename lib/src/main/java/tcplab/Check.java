package tcplab;

import tcplab.text.Text;

/** Parameter checks that fail with one sentence naming the parameter and its allowed range. */
public final class Check {
  private Check() {}

  /** Returns {@code value} if it lies in [min, max], else throws with a clear sentence. */
  public static long range(String name, long value, long min, long max, String unit) {
    Parameters
        .requireSet(); // a parameters cell that did not finish: its old values must not be used
    if (value < min || value > max) {
      throw new IllegalArgumentException(Text.get("param.range", name, min, max, unit, value));
    }
    return value;
  }

  /** Like {@link #range} for ints. */
  public static int range(String name, int value, int min, int max, String unit) {
    return (int) range(name, (long) value, min, max, unit);
  }
}
