package tcplab.draw;

import static tcplab.draw.Ladder.BREAK_MILLIS;
import static tcplab.draw.LadderLayout.events;
import static tcplab.draw.LadderLayout.millis;
import static tcplab.draw.LadderLayout.wrap;

import java.util.List;
import tcplab.draw.Ladder.Arrow;
import tcplab.draw.Ladder.Mark;
import tcplab.draw.LadderLayout.Event;
import tcplab.engine.Side;
import tcplab.text.Text;

/**
 * Draws a {@link Ladder} as plain text, for frontends without SVG: the two lifelines as columns of
 * "|", segments as "--&gt;" and "&lt;--" between them ("==" for FIN and RST), calls and states
 * beside them, "~" across a time cut.
 */
final class LadderText {
  private LadderText() {}

  /** The same ladder as plain text, with the notice (if any) under the title between "!!" bars. */
  static String text(String title, String notice, List<Arrow> arrows, List<Mark> marks) {
    final int markW = 32;
    final int span = 26;
    StringBuilder b = new StringBuilder();
    if (title != null && !title.isEmpty()) {
      b.append(title).append('\n');
    }
    if (notice != null && !notice.isBlank()) {
      for (String line : wrap(notice.strip(), 96)) {
        b.append("!! ").append(line).append('\n');
      }
    }
    int clientCol = 10 + markW + 1;
    int serverCol = clientCol + span + 1;
    b.append(pad("", clientCol - 3))
        .append(Text.get("ladder.client")) // "客户端" is as wide as "client" on a terminal
        .append(pad("", serverCol - clientCol - 6))
        .append(Text.get("ladder.server"))
        .append('\n');
    String empty = pad("", 10) + pad("", markW) + " |" + pad("", span) + "|";
    double prevT = Double.NaN;
    for (Event e : events(arrows, marks)) {
      if (!Double.isNaN(prevT) && e.t() - prevT > BREAK_MILLIS) {
        b.append(pad("", 10))
            .append(pad("", markW))
            .append(" ~")
            .append(pad("   " + Text.get("ladder.timeCut"), span))
            .append("~\n");
      }
      String time =
          Double.isNaN(prevT) || Math.abs(e.t() - prevT) >= 0.05 ? "+" + millis(e.t()) + " ms" : "";
      prevT = e.t();
      if (e.arrow() != null) {
        Arrow a = e.arrow();
        String label = " " + a.label() + " ";
        String line;
        if (a.from() == Side.CLIENT) {
          line = "--" + label + "-".repeat(Math.max(1, span - 3 - label.length())) + ">";
        } else {
          line = "<" + "-".repeat(Math.max(1, span - 3 - label.length())) + label + "--";
        }
        if (a.highlight()) {
          line = line.replace('-', '=');
        }
        b.append(padLeft(time, 9))
            .append(' ')
            .append(pad("", markW))
            .append(" |")
            .append(pad(line, span))
            .append("|\n");
      } else {
        Mark m = e.mark();
        String text = (m.failure() ? "!! " : "") + m.text();
        List<String> lines = wrap(text, markW - 1);
        for (int i = 0; i < lines.size(); i++) {
          String t = i == 0 ? time : "";
          if (m.side() == Side.CLIENT) {
            b.append(padLeft(t, 9))
                .append(' ')
                .append(padLeft(lines.get(i), markW))
                .append(" |")
                .append(pad("", span))
                .append("|\n");
          } else {
            b.append(padLeft(t, 9))
                .append(' ')
                .append(pad("", markW))
                .append(" |")
                .append(pad("", span))
                .append("| ")
                .append(lines.get(i))
                .append('\n');
          }
        }
      }
    }
    return b.append(empty).append('\n').toString();
  }

  private static String pad(String s, int n) {
    return s.length() >= n ? s : s + " ".repeat(n - s.length());
  }

  private static String padLeft(String s, int n) {
    return s.length() >= n ? s : " ".repeat(n - s.length()) + s;
  }
}
