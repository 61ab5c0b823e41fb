package tcplab.observe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Captured packets for the reader: the "packets on the wire" table and the ladder's arrows, each
 * segment from the client or the server.
 */
final class PacketTable {
  private PacketTable() {}

  /**
   * The packets as a table: "t (ms)" from {@code t0EpochSeconds}, "from" and "to" (client or
   * server, by {@code clientPort}), "flags", "seq" and "ack" relative to each side's first sequence
   * number (its SYN), as tcpdump prints without -S, "length", and "window": the receive window the
   * sender advertises, in bytes where its SYN's window scale was captured (else the header field).
   */
  static Table table(List<Capture.Packet> packets, double t0EpochSeconds, int clientPort) {
    DoubleColumn t = DoubleColumn.create("t (ms)");
    StringColumn from = StringColumn.create("from");
    StringColumn to = StringColumn.create("to");
    StringColumn flags = StringColumn.create("flags");
    StringColumn seq = StringColumn.create("seq");
    StringColumn ack = StringColumn.create("ack");
    IntColumn length = IntColumn.create("length");
    StringColumn window = StringColumn.create("window");
    Map<Side, Long> isn = isns(packets, clientPort);
    Map<Side, Integer> scale = scales(packets, clientPort);
    for (Capture.Packet p : packets) {
      Side s = side(p, clientPort);
      Side other = s == Side.CLIENT ? Side.SERVER : Side.CLIENT;
      t.append(Math.round((p.epochSeconds() - t0EpochSeconds) * 1e5) / 100.0);
      from.append(s.toString());
      to.append(other.toString());
      flags.append(p.flagNames());
      if (p.seq() < 0) {
        seq.append("");
      } else {
        long a = relative(p.seq(), isn.get(s));
        long b = relative(p.seqEnd(), isn.get(s));
        seq.append(p.seqEnd() != p.seq() ? a + ":" + b : String.valueOf(a));
      }
      ack.append(
          p.ack() < 0 || !p.flags().contains(".")
              ? ""
              : String.valueOf(relative(p.ack(), isn.get(other))));
      length.append(p.length());
      window.append(window(p, scale.get(s)));
    }
    return Table.create("packets on the wire", t, from, to, flags, seq, ack, length, window);
  }

  /**
   * The packets as ladder arrows, times in ms from {@code t0EpochSeconds}; FIN and RST highlighted.
   */
  static List<Ladder.Arrow> arrows(
      List<Capture.Packet> packets, double t0EpochSeconds, int clientPort) {
    List<Ladder.Arrow> arrows = new ArrayList<>();
    for (Capture.Packet p : packets) {
      String label =
          p.flagNames()
              + (p.length() > 0 ? " len " + p.length() : "")
              + (p.window() == 0 && !p.closes() ? " win 0" : "");
      arrows.add(
          new Ladder.Arrow(
              (p.epochSeconds() - t0EpochSeconds) * 1000, side(p, clientPort), label, p.closes()));
    }
    return arrows;
  }

  /** The window in bytes (scaled when the scale is known), "" when the header was not read. */
  static String window(Capture.Packet p, Integer scale) {
    if (p.window() < 0) {
      return "";
    }
    if (p.flags().contains("S") || scale == null) { // a SYN's window is never scaled
      return String.valueOf(p.window());
    }
    return String.valueOf((long) p.window() << scale);
  }

  /**
   * Each side's window scale, when both SYNs were captured and both carried the option (RFC 7323:
   * scaling is on only then; a side's scale applies to the windows it sends).
   */
  private static Map<Side, Integer> scales(List<Capture.Packet> packets, int clientPort) {
    Map<Side, Integer> seen = new HashMap<>();
    Map<Side, Boolean> syn = new HashMap<>();
    for (Capture.Packet p : packets) {
      if (p.flags().contains("S")) {
        Side s = side(p, clientPort);
        syn.put(s, true);
        if (p.wscale() >= 0) {
          seen.putIfAbsent(s, p.wscale());
        }
      }
    }
    if (seen.size() < 2) {
      return syn.size() == 2 ? Map.of(Side.CLIENT, 0, Side.SERVER, 0) : Map.of();
    }
    return seen;
  }

  private static Side side(Capture.Packet p, int clientPort) {
    return p.srcPort() == clientPort ? Side.CLIENT : Side.SERVER;
  }

  private static Map<Side, Long> isns(List<Capture.Packet> packets, int clientPort) {
    Map<Side, Long> isn = new HashMap<>();
    for (Capture.Packet p : packets) {
      if (p.flags().contains("S") && p.seq() >= 0) {
        isn.putIfAbsent(side(p, clientPort), p.seq());
      }
    }
    for (Capture.Packet p : packets) { // no SYN captured: count from the first byte seen, minus one
      if (p.seq() >= 0) {
        isn.putIfAbsent(side(p, clientPort), p.seq() - 1);
      }
    }
    return isn;
  }

  private static long relative(long n, Long isn) {
    return isn == null ? n : Math.floorMod(n - isn, 1L << 32);
  }
}
