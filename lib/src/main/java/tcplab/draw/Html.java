package tcplab.draw;

import tcplab.text.Text;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Turns Tablesaw tables into compact, escaped HTML; cells that show a failure are coloured. */
public final class Html {
  private Html() {}

  private static final String STYLE =
      "border-collapse:collapse;font-size:12px;font-family:monospace";
  private static final String CELL =
      "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top";

  /** Tables longer than this show their first and last rows only. */
  public static final int MAX_ROWS = 40;

  /**
   * The text form of a table, with the same first and last rows as {@link #table}, in the lab's
   * language ({@link Text#shown(Table)}).
   */
  public static String text(Table table) {
    Table t = Text.shown(table);
    if (t.rowCount() <= MAX_ROWS) {
      return t.printAll();
    }
    return t.first(MAX_ROWS / 2).printAll()
        + "\n... "
        + Text.get("html.rowsNotShown", t.rowCount() - MAX_ROWS)
        + " ...\n"
        + t.last(MAX_ROWS / 2).printAll();
  }

  /** Escapes text for HTML. */
  public static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /**
   * The whole table as one HTML {@code <table>} with its name as caption, in the lab's language
   * ({@link Text#shown(String)}); a cell is coloured by its English text.
   */
  public static String table(Table t) {
    StringBuilder b = new StringBuilder("<table style=\"" + STYLE + "\">");
    b.append("<caption style=\"text-align:left;font-weight:bold\">")
        .append(escape(Text.shown(t.name())))
        .append("</caption><tr>");
    for (String name : t.columnNames()) {
      b.append("<th style=\"")
          .append(CELL)
          .append(";background:#f0f0f0\">")
          .append(escape(Text.shown(name)))
          .append("</th>");
    }
    b.append("</tr>");
    int n = t.rowCount();
    for (int r = 0; r < n; r++) {
      if (n > MAX_ROWS && r == MAX_ROWS / 2) {
        b.append("<tr><td colspan=\"")
            .append(t.columnCount())
            .append("\" style=\"")
            .append(CELL)
            .append(";color:#666\">… ")
            .append(Text.get("html.rowsNotShown", n - MAX_ROWS))
            .append(" …</td></tr>");
        r = n - MAX_ROWS / 2 - 1;
        continue;
      }
      b.append("<tr>");
      for (Column<?> c : t.columns()) {
        String v = c.getString(r);
        String colour = Failure.is(v) ? ";color:" + Ladder.FAILURE + ";font-weight:bold" : "";
        b.append("<td style=\"")
            .append(CELL)
            .append(colour)
            .append("\">")
            .append(escape(c instanceof StringColumn ? Text.shown(v) : v))
            .append("</td>");
      }
      b.append("</tr>");
    }
    return b.append("</table>").toString();
  }
}
