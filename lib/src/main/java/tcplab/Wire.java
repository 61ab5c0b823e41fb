package tcplab;

import java.util.List;
import tcplab.observe.Capture;
import tech.tablesaw.api.Table;

/**
 * One scenario run with the packets it put on the wire: the timeline table, the packets (a table
 * and the raw list, captured by tcpdump inside the client host), and a ladder diagram (SVG and
 * text) with the packets between the lifelines and the table's rows beside them. Without capture
 * (not root, no tcpdump) {@code packets} is null, {@code raw} empty, and {@code note} says why; the
 * ladder then shows the rows only.
 *
 * @param table the scenario's timeline, named with its layer like every table of {@link
 *     NetworkCut}/{@link HostReboot}
 * @param packets the packets as {@link Capture#table} shows them (t in ms from the first packet),
 *     or null
 * @param raw the packets as tcpdump printed them (absolute sequence numbers), or an empty list
 * @param svg the ladder diagram
 * @param text the same ladder as text
 * @param note why there are no packets, or null when there are
 */
public record Wire(
    Table table, Table packets, List<Capture.Packet> raw, String svg, String text, String note) {
  /** True when packets were captured. */
  public boolean hasPackets() {
    return packets != null;
  }

  /**
   * Shows the table, the ladder and the packets in a notebook (one line in a cell: {@code
   * wire.show();}).
   */
  public void show() {
    Show.wire(this);
  }
}
