package tcplab.story.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import tcplab.Timeline;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** Finding rows in a story's timeline and comparing times, for the story contract and its layers. */
public final class StoryTables {
  private StoryTables() {}

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

  /** The row whose result contains {@code text} shows these states (null: not checked). */
  public static void states(Table t, String text, String client, String server) {
    Row r = row(t, text);
    if (client != null) {
      assertEquals(client, r.getString(Timeline.CLIENT), "client state at \"" + text + "\"\n" + t.print());
    }
    if (server != null) {
      assertEquals(server, r.getString(Timeline.SERVER), "server state at \"" + text + "\"\n" + t.print());
    }
  }

  /** The packets table has a row from {@code side} whose flags contain {@code flag}, after row {@code from}. */
  public static int packet(Table packets, int from, String side, String flag, int length) {
    for (int i = from; i < packets.rowCount(); i++) {
      Row r = packets.row(i);
      if (r.getString("from").equals(side) && r.getString("flags").contains(flag)
          && (length < 0 || r.getInt("length") == length)) {
        return i;
      }
    }
    return -1;
  }
}
