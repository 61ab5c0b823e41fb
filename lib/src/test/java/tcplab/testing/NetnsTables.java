package tcplab.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import tcplab.net.Timeline;
import tcplab.net.TwoHosts;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * Shared checks for TwoHostsTest and the story contract: skip without root, find rows in timelines
 * and packets.
 */
public final class NetnsTables {
  private NetnsTables() {}

  private static TwoHosts.Privileges probed;

  public static synchronized void assumeRoot() {
    if (probed == null) {
      probed = TwoHosts.probe();
    }
    Assumptions.assumeTrue(
        probed.root().isEmpty() && !probed.nft().isEmpty(),
        () -> "needs the ROOT layer:\n" + probed);
    String forced = tcplab.story.Layer.forced();
    Assumptions.assumeTrue(
        forced == null || forced.equalsIgnoreCase("root"), "TCPLAB_LAYER forces " + forced);
  }

  /** The first timeline row whose result contains {@code text}. */
  public static Row row(Table t, String text) {
    for (Row r : t) {
      if (r.getString(Timeline.RESULT).contains(text)) {
        return r;
      }
    }
    return fail("no row with result containing \"" + text + "\" in\n" + t.print());
  }

  /** The time (s) of the first row whose result contains {@code text}. */
  public static double at(Table t, String text) {
    return row(t, text).getDouble(Timeline.T);
  }

  /** {@code actual} lies within ±30 % of {@code expected}. */
  public static void near(double expected, double actual, String what, Table t) {
    assertTrue(
        Math.abs(actual - expected) <= 0.3 * expected,
        what
            + ": expected about "
            + expected
            + " s (±30 %), measured "
            + actual
            + " s\n"
            + t.print());
  }

  public static void result(Table t, String text, String clientState, String serverState) {
    Row r = row(t, text);
    if (clientState != null) {
      assertEquals(
          clientState,
          r.getString(Timeline.CLIENT),
          "client state at \"" + text + "\"\n" + t.print());
    }
    if (serverState != null) {
      assertEquals(
          serverState,
          r.getString(Timeline.SERVER),
          "server state at \"" + text + "\"\n" + t.print());
    }
  }

  /**
   * The first row from {@code from} on of a packets table from {@code side} whose flags contain
   * {@code flag} (and of {@code length} bytes, unless it is negative), or -1.
   */
  public static int packet(Table packets, int from, String side, String flag, int length) {
    for (int i = from; i < packets.rowCount(); i++) {
      Row r = packets.row(i);
      if (r.getString("from").equals(side)
          && r.getString("flags").contains(flag)
          && (length < 0 || r.getInt("length") == length)) {
        return i;
      }
    }
    return -1;
  }
}
