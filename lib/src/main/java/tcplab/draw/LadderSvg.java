package tcplab.draw;

import static tcplab.draw.Ladder.BREAK_MILLIS;
import static tcplab.draw.Ladder.FAILURE;
import static tcplab.draw.Ladder.HIGHLIGHT;
import static tcplab.draw.Ladder.NOTICE;
import static tcplab.draw.LadderLayout.CHAR_PX;
import static tcplab.draw.LadderLayout.CLIENT_CHARS;
import static tcplab.draw.LadderLayout.CLIENT_X;
import static tcplab.draw.LadderLayout.LINE_PX;
import static tcplab.draw.LadderLayout.NOTICE_PX;
import static tcplab.draw.LadderLayout.SERVER_CHARS;
import static tcplab.draw.LadderLayout.SERVER_X;
import static tcplab.draw.LadderLayout.TIME_X;
import static tcplab.draw.LadderLayout.TITLE_PX;
import static tcplab.draw.LadderLayout.WIDTH;
import static tcplab.draw.LadderLayout.charsIn;
import static tcplab.draw.LadderLayout.events;
import static tcplab.draw.LadderLayout.gapPx;
import static tcplab.draw.LadderLayout.textWidth;
import static tcplab.draw.LadderLayout.timeLabel;
import static tcplab.draw.LadderLayout.wrap;

import java.util.ArrayList;
import java.util.List;
import tcplab.draw.Ladder.Arrow;
import tcplab.draw.Ladder.Mark;
import tcplab.draw.LadderLayout.Event;
import tcplab.engine.Side;
import tcplab.text.Text;

/**
 * Draws a {@link Ladder} as SVG: the title and notice, the two lifelines with their name boxes and
 * time-cut marks, each segment as an arrow between them, each call or state as a box beside its
 * peer's lifeline, placed by {@link LadderLayout}.
 */
final class LadderSvg {
  private LadderSvg() {}

  private static final String NORMAL = "#333";

  /**
   * The ladder as a standalone SVG document (720 px wide). The title wraps to the width; {@code
   * notice}, when not null or empty, is drawn right under it in a tinted, outlined box in bold
   * (e.g. why there are no packets and how to turn them on), so a reader cannot miss it.
   */
  static String svg(String title, String notice, List<Arrow> arrows, List<Mark> marks) {
    List<Event> events = events(arrows, marks);
    StringBuilder head = new StringBuilder();
    int hy = 4;
    for (String line : wrap(title == null ? "" : title, charsIn(WIDTH - 16, TITLE_PX))) {
      hy += 17;
      head.append(text(8, hy, "start", "#000", true, line, TITLE_PX));
    }
    if (notice != null && !notice.isBlank()) {
      List<String> lines = wrap(notice.strip(), charsIn(WIDTH - 16 - 12, NOTICE_PX));
      int boxTop = hy + 6;
      int boxH = lines.size() * 15 + 8;
      head.append("<rect class=\"notice\" x=\"8\" y=\"")
          .append(boxTop)
          .append("\" width=\"")
          .append(WIDTH - 16)
          .append("\" height=\"")
          .append(boxH)
          .append("\" rx=\"3\" fill=\"#fff3e0\" stroke=\"")
          .append(HIGHLIGHT)
          .append("\" stroke-width=\"1.5\"/>");
      for (int i = 0; i < lines.size(); i++) {
        head.append(text(14, boxTop + 16 + i * 15, "start", NOTICE, true, lines.get(i), NOTICE_PX));
      }
      hy = boxTop + boxH;
    }
    final int top = hy + 40; // the lifelines' name boxes sit in the 40 px above
    StringBuilder body = new StringBuilder();
    int y = top + 12;
    double prevT = Double.NaN;
    double labelT = Double.NaN;
    List<Integer> breaks = new ArrayList<>();
    for (Event e : events) {
      if (!Double.isNaN(prevT)) {
        double dt = e.t() - prevT;
        if (dt > BREAK_MILLIS) {
          breaks.add(y + 10);
        }
        y += gapPx(dt);
      }
      prevT = e.t();
      if (Double.isNaN(labelT) || Math.abs(e.t() - labelT) >= 0.05) {
        body.append(text(TIME_X, y + 4, "end", "#777", false, timeLabel(e.t())));
        labelT = e.t();
      }
      if (e.arrow() != null) {
        y = arrow(body, e.arrow(), y);
      } else {
        y = mark(body, e.mark(), y);
      }
    }
    int height = y + 24;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(WIDTH)
        .append(' ')
        .append(height)
        .append("\" font-family=\"monospace\" font-size=\"11\">");
    svg.append("<rect x=\"0\" y=\"0\" width=\"")
        .append(WIDTH)
        .append("\" height=\"")
        .append(height)
        .append("\" fill=\"white\"/>");
    svg.append(head);
    for (int x : new int[] {CLIENT_X, SERVER_X}) {
      String name = Text.get(x == CLIENT_X ? "ladder.client" : "ladder.server");
      svg.append("<rect x=\"")
          .append(x - 32)
          .append("\" y=\"")
          .append(top - 26)
          .append("\" width=\"64\" height=\"20\" rx=\"3\" fill=\"#eef\" stroke=\"#557\"/>");
      svg.append(text(x, top - 12, "middle", "#000", true, name));
      svg.append("<line x1=\"")
          .append(x)
          .append("\" y1=\"")
          .append(top - 6)
          .append("\" x2=\"")
          .append(x)
          .append("\" y2=\"")
          .append(height - 8)
          .append("\" stroke=\"#888\" stroke-width=\"1.5\"/>");
      for (int b : breaks) { // a white cut with two slanted strokes
        svg.append("<rect x=\"")
            .append(x - 8)
            .append("\" y=\"")
            .append(b - 4)
            .append("\" width=\"16\" height=\"8\" fill=\"white\"/>");
        svg.append("<path d=\"M")
            .append(x - 8)
            .append(' ')
            .append(b - 1)
            .append(" l16 -6 M")
            .append(x - 8)
            .append(' ')
            .append(b + 6)
            .append(" l16 -6\" stroke=\"#888\" fill=\"none\"/>");
      }
    }
    for (int b : breaks) {
      svg.append(
          text(
              (CLIENT_X + SERVER_X) / 2,
              b + 4,
              "middle",
              "#999",
              false,
              Text.get("ladder.timeCut")));
    }
    if (events.isEmpty()) {
      svg.append(
          text(
              (CLIENT_X + SERVER_X) / 2,
              top + 14,
              "middle",
              "#999",
              false,
              Text.get("ladder.nothing")));
    }
    return svg.append(body).append("</svg>").toString();
  }

  private static int arrow(StringBuilder b, Arrow a, int y) {
    boolean right = a.from() == Side.CLIENT;
    int x1 = right ? CLIENT_X : SERVER_X;
    int x2 = right ? SERVER_X - 2 : CLIENT_X + 2;
    int labelY = y + 2;
    int y1 = y + 6;
    int y2 = y1 + 10;
    String colour = a.highlight() ? HIGHLIGHT : NORMAL;
    String width = a.highlight() ? "2" : "1.2";
    int room =
        SERVER_X - CLIENT_X
            - 16; // a label wider than the space between the lifelines gets a smaller font
    int size =
        textWidth(a.label().length(), 11) <= room
            ? 11
            : Math.max(6, (int) Math.floor(room / (a.label().length() * 0.64)));
    b.append("<text x=\"")
        .append((CLIENT_X + SERVER_X) / 2)
        .append("\" y=\"")
        .append(labelY)
        .append("\" text-anchor=\"middle\" fill=\"")
        .append(colour)
        .append('"')
        .append(size != 11 ? " font-size=\"" + size + "\"" : "")
        .append(a.highlight() ? " font-weight=\"bold\"" : "")
        .append('>')
        .append(escape(a.label()))
        .append("</text>");
    b.append("<line class=\"segment\" x1=\"")
        .append(x1)
        .append("\" y1=\"")
        .append(y1)
        .append("\" x2=\"")
        .append(x2)
        .append("\" y2=\"")
        .append(y2)
        .append("\" stroke=\"")
        .append(colour)
        .append("\" stroke-width=\"")
        .append(width)
        .append("\"/>");
    int d = right ? -1 : 1; // arrow head at (x2, y2), pointing along the line
    b.append("<polygon points=\"")
        .append(x2)
        .append(',')
        .append(y2)
        .append(' ')
        .append(x2 + d * 9)
        .append(',')
        .append(y2 - 6)
        .append(' ')
        .append(x2 + d * 8)
        .append(',')
        .append(y2 + 2)
        .append("\" fill=\"")
        .append(colour)
        .append("\"/>");
    return y2 + 4;
  }

  private static int mark(StringBuilder b, Mark m, int y) {
    boolean client = m.side() == Side.CLIENT;
    List<String> lines = wrap(m.text(), client ? CLIENT_CHARS : SERVER_CHARS);
    int longest = lines.stream().mapToInt(String::length).max().orElse(0);
    int w = longest * CHAR_PX + 8;
    int h = lines.size() * LINE_PX + 4;
    int lifeline = client ? CLIENT_X : SERVER_X;
    int x = client ? lifeline - 8 - w : lifeline + 8;
    String colour = m.failure() ? FAILURE : "#000";
    boolean state = m.text().startsWith("→");
    String fill = m.failure() ? "#fdecea" : state ? "#eef7ee" : "#f6f6f6";
    String stroke = m.failure() ? FAILURE : state ? "#6a6" : "#bbb";
    int top = y - 10;
    b.append("<rect class=\"mark\" x=\"")
        .append(x)
        .append("\" y=\"")
        .append(top)
        .append("\" width=\"")
        .append(w)
        .append("\" height=\"")
        .append(h)
        .append("\" rx=\"3\" fill=\"")
        .append(fill)
        .append("\" stroke=\"")
        .append(stroke)
        .append("\"/>");
    b.append("<line x1=\"")
        .append(client ? x + w : x)
        .append("\" y1=\"")
        .append(y - 4)
        .append("\" x2=\"")
        .append(lifeline)
        .append("\" y2=\"")
        .append(y - 4)
        .append("\" stroke=\"")
        .append(stroke)
        .append("\"/>");
    b.append("<circle cx=\"")
        .append(lifeline)
        .append("\" cy=\"")
        .append(y - 4)
        .append("\" r=\"2.5\" fill=\"")
        .append(m.failure() ? FAILURE : "#555")
        .append("\"/>");
    for (int i = 0; i < lines.size(); i++) {
      b.append(text(x + 4, y + i * LINE_PX, "start", colour, m.failure(), lines.get(i)));
    }
    return top + h + 12; // the next row's box starts (top = y - 10) at least 2 px below this one
  }

  private static String text(int x, int y, String anchor, String colour, boolean bold, String s) {
    return text(x, y, anchor, colour, bold, s, 11);
  }

  private static String text(
      int x, int y, String anchor, String colour, boolean bold, String s, int size) {
    return "<text x=\""
        + x
        + "\" y=\""
        + y
        + "\" text-anchor=\""
        + anchor
        + "\" fill=\""
        + colour
        + "\" font-size=\""
        + size
        + "\""
        + (bold ? " font-weight=\"bold\"" : "")
        + " xml:space=\"preserve\">"
        + escape(s)
        + "</text>";
  }

  /** Escapes text for XML; drops control characters, which XML 1.0 cannot hold. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t') {
            b.append(c);
          } else {
            b.append('?');
          }
        }
      }
    }
    return b.toString();
  }
}
