package tcplab.testing;

import tcplab.Layers;
import tcplab.Timeline;
import tcplab.TwoHosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** Shared checks for the TwoHosts* tests: skip without root, find rows in the helpers' timelines. */
public final class NetnsTables {
  private NetnsTables() {}

  private static TwoHosts.Privileges probed;

  public static synchronized void assumeRoot() {
    if (probed == null) {
      probed = TwoHosts.probe();
    }
    Assumptions.assumeTrue(probed.layer() == TwoHosts.Layer.ROOT, () -> "needs the ROOT layer:\n" + probed);
    String forced = Layers.forced();
    Assumptions.assumeTrue(forced == null || forced.equalsIgnoreCase("root"), "TCPLAB_LAYER forces " + forced);
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
    assertTrue(Math.abs(actual - expected) <= 0.3 * expected,
        what + ": expected about " + expected + " s (±30 %), measured " + actual + " s\n" + t.print());
  }

  public static void result(Table t, String text, String clientState, String serverState) {
    Row r = row(t, text);
    if (clientState != null) {
      assertEquals(clientState, r.getString(Timeline.CLIENT), "client state at \"" + text + "\"\n" + t.print());
    }
    if (serverState != null) {
      assertEquals(serverState, r.getString(Timeline.SERVER), "server state at \"" + text + "\"\n" + t.print());
    }
  }
}
