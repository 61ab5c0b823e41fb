package tcplab.engine;

import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** A text-only Tablesaw table built row by row (used by the small lesson-17 extras). */
public final class Rows {
  private final StringColumn[] cols;

  /** Columns with these names, in this order. */
  public Rows(String... names) {
    cols = new StringColumn[names.length];
    for (int i = 0; i < names.length; i++) {
      cols[i] = StringColumn.create(names[i]);
    }
  }

  /** Appends one row; missing trailing cells are empty. */
  public void add(String... cells) {
    for (int i = 0; i < cols.length; i++) {
      cols[i].append(i < cells.length && cells[i] != null ? cells[i] : "");
    }
  }

  /** The table so far, named {@code name}. */
  public Table table(String name) {
    return Table.create(name, cols);
  }

  /** The state of the socket local:remote in /proc/net/tcp, or "CLOSED" when it is not listed. */
  public static String state(int localPort, int remotePort) {
    return ProcNetTcp.find(localPort, remotePort)
        .map(ProcNetTcp.Row::state)
        .orElse(ProcNetTcp.NOT_LISTED);
  }
}
