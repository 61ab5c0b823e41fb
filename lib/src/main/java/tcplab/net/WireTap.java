package tcplab.net;

import java.util.ArrayList;
import java.util.List;
import tcplab.Wire;
import tcplab.draw.Failure;
import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tcplab.observe.Capture;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * Packet capture for a ROOT-layer scenario: tcpdump started from a thread inside the client host
 * (it inherits that network namespace) on the client's veth, filtered to the server's port, ready
 * ("listening on") before the connection is made. Any failure becomes a note, never an exception:
 * the scenario still runs.
 */
public final class WireTap {
  private Capture cap;
  private String note;
  private Timeline tl;
  private int clientPort;
  private List<Capture.Packet> packets = List.of();

  /** Starts tcpdump inside {@code h}'s client host (call before connecting). */
  public void begin(TwoHosts h) {
    note = Capture.unavailableReason().orElse(null);
    if (note != null) {
      return;
    }
    try {
      cap = h.onClient(() -> Capture.startOn(h.clientInterface(), TwoHosts.PORT));
    } catch (RuntimeException e) {
      note =
          e.getMessage() != null && e.getMessage().startsWith("no packet capture")
              ? e.getMessage()
              : "no packet capture here: " + e.getMessage();
    }
  }

  public void attach(Timeline timeline, int port) {
    this.tl = timeline;
    this.clientPort = port;
  }

  /** Stops tcpdump (idempotent); call before the namespaces are deleted. */
  public void stop() {
    if (cap != null) {
      try {
        packets = cap.stop();
      } catch (RuntimeException e) {
        note = "no packets: stopping tcpdump failed: " + e.getMessage();
      }
      cap = null;
    }
  }

  /** The scenario's table with its packets and ladder. */
  public Wire wire(Table table) {
    stop();
    String why = note;
    if (why == null && tl == null) {
      why = "no packets: the scenario failed before its connection was made";
    }
    boolean have = why == null;
    double start =
        have && !packets.isEmpty()
            ? packets.get(0).epochSeconds()
            : tl != null ? tl.zeroEpoch() : 0;
    double shift =
        tl != null ? tl.zeroEpoch() - start : 0; // seconds from the first packet to the table's t=0
    List<Ladder.Arrow> arrows = have ? Capture.arrows(packets, start, clientPort) : List.of();
    List<Ladder.Mark> marks = marks(table, shift);
    String title = table.name();
    String notice = Ladder.noPackets(why);
    return new Wire(
        table,
        have ? Capture.table(packets, start, clientPort) : null,
        have ? packets : List.of(),
        Ladder.svg(title, notice, arrows, marks),
        Ladder.text(title, notice, arrows, marks),
        why);
  }

  /**
   * A loopback run's table with the packets captured on lo (or {@code note} saying why there are
   * none): {@code zeroEpoch} is the wall-clock time of the table's t = 0.
   */
  public static Wire of(
      Table table, List<Capture.Packet> packets, String note, double zeroEpoch, int clientPort) {
    if (note != null) {
      return without(table, note);
    }
    double start = packets.isEmpty() ? zeroEpoch : packets.get(0).epochSeconds();
    List<Ladder.Arrow> arrows = Capture.arrows(packets, start, clientPort);
    List<Ladder.Mark> marks = marks(table, zeroEpoch - start);
    String title = table.name();
    String notice = Ladder.noPackets(null);
    return new Wire(
        table,
        Capture.table(packets, start, clientPort),
        packets,
        Ladder.svg(title, notice, arrows, marks),
        Ladder.text(title, notice, arrows, marks),
        null);
  }

  /** A table without any packets: the note says why. */
  public static Wire without(Table table, String note) {
    List<Ladder.Mark> marks = marks(table, 0);
    double first = marks.isEmpty() ? 0 : marks.get(0).tMillis();
    List<Ladder.Mark> shifted = new ArrayList<>();
    for (Ladder.Mark m : marks) {
      shifted.add(new Ladder.Mark(m.tMillis() - first, m.side(), m.text(), m.failure()));
    }
    String notice = Ladder.noPackets(note);
    return new Wire(
        table,
        null,
        List.of(),
        Ladder.svg(table.name(), notice, List.of(), shifted),
        Ladder.text(table.name(), notice, List.of(), shifted),
        note);
  }

  /** One mark per timeline row, on the side of who acted; failures (exceptions, errno) in red. */
  static List<Ladder.Mark> marks(Table t, double shiftSeconds) {
    List<Ladder.Mark> marks = new ArrayList<>();
    if (!t.columnNames().contains(Timeline.T)) {
      return marks; // not a timeline (e.g. one row per mechanism)
    }
    for (Row r : t) {
      double at = r.getDouble(Timeline.T);
      if (Double.isNaN(at)) {
        continue;
      }
      String who = r.getString(Timeline.WHO);
      String what = r.getString(Timeline.WHAT);
      String result = r.getString(Timeline.RESULT);
      Side side = who.startsWith("server") || who.equals("network") ? Side.SERVER : Side.CLIENT;
      boolean failure = Failure.is(result);
      marks.add(
          new Ladder.Mark(
              (at + shiftSeconds) * 1000,
              side,
              result.isEmpty() ? what : what + " = " + result,
              failure));
    }
    return marks;
  }
}
