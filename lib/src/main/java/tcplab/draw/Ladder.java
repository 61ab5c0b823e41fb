package tcplab.draw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.engine.Side;
import tech.tablesaw.api.Table;

/**
 * A ladder (sequence) diagram of one connection: the client's lifeline on the left, the server's on
 * the right, time downward. Segments are arrows between the lifelines; calls, their results and
 * state changes are boxes beside the lifeline of the peer they belong to.
 *
 * <p>Time is drawn for reading, not to scale: events keep their order, each gets its own row, the
 * space between rows grows with the logarithm of the gap, and a gap over 200 ms is cut (a break
 * mark on both lifelines). The left margin gives each event's time, "+12.3 ms" from the start.
 */
public final class Ladder {
  private Ladder() {}

  /**
   * A segment on the wire at {@code tMillis}, sent by {@code from}; FIN and RST are highlighted.
   */
  public record Arrow(double tMillis, Side from, String label, boolean highlight) {}

  /** A call and its result, or a state change ("→ CLOSE_WAIT"), on one side's lifeline. */
  public record Mark(double tMillis, Side side, String text, boolean failure) {}

  /** Colour of highlighted arrows (FIN, RST). */
  public static final String HIGHLIGHT = "#e65100";

  /** Colour of failed calls. */
  public static final String FAILURE = "#b00020";

  /** Gaps longer than this (ms) are cut and marked with a break. */
  public static final double BREAK_MILLIS = 200;

  /**
   * Width of the SVG (px): it fits a notebook's output area (about 800-1000 px) without scaling.
   */
  static final int WIDTH = 720;

  /** Right end of the time labels ("+12.34 ms", anchored at their end). */
  static final int TIME_X = 70;

  private static final int CLIENT_X = 290;
  private static final int SERVER_X = 484;
  private static final int CHAR_PX =
      7; // 11px monospace is ~6.6 px a character: textWidth(…, 11) rounds up to 7
  private static final int LINE_PX = 14;
  private static final int TITLE_PX = 13;
  private static final int NOTICE_PX = 12;
  private static final int MARGIN = 6; // free space beside the time labels and at the right edge
  private static final int CLIENT_CHARS = (CLIENT_X - 8 - (TIME_X + MARGIN) - 8) / CHAR_PX;
  private static final int SERVER_CHARS = (WIDTH - MARGIN - (SERVER_X + 8) - 8) / CHAR_PX;

  /** Colour of the notice that says the ladder has no packets. */
  public static final String NOTICE = "#8a3b00";

  private static final String NORMAL = "#333";

  /**
   * The width (px) this renderer reserves for {@code chars} characters of monospace text at {@code
   * fontSize} px: 0.64 em a character (DejaVu Sans Mono and Liberation Mono are 0.60 em), so an
   * estimate that fits is never short. Layout and the layout test use the same estimate.
   */
  public static double textWidth(int chars, int fontSize) {
    return chars * (fontSize == 11 ? CHAR_PX : fontSize * 0.64);
  }

  /**
   * The notice of a ladder without packets, from a capture note ("no packet capture here: why; how
   * to turn them on"): "No packets on this ladder (no SYN, FIN or RST arrows): why; how ...". Null
   * for a null or blank note.
   */
  public static String noPackets(String captureNote) {
    if (captureNote == null || captureNote.isBlank()) {
      return null;
    }
    String why =
        captureNote
            .strip()
            .replaceFirst("^no packet capture here: ", "")
            .replaceFirst("^no packets: ", "");
    return "No packets on this ladder (no SYN, FIN or RST arrows): " + why;
  }

  /** How many characters of {@code fontSize} px text fit in {@code px}. */
  private static int charsIn(int px, int fontSize) {
    return (int) Math.floor(px / textWidth(1, fontSize));
  }

  private record Event(double t, Arrow arrow, Mark mark, int order) {
    List<String> lines(int width) {
      return arrow != null ? List.of(arrow.label()) : wrap(mark.text(), width);
    }
  }

  private static List<Event> events(List<Arrow> arrows, List<Mark> marks) {
    List<Event> events = new ArrayList<>();
    int i = 0;
    for (Mark m : marks == null ? List.<Mark>of() : marks) {
      events.add(new Event(m.tMillis(), null, m, i++));
    }
    for (Arrow a : arrows == null ? List.<Arrow>of() : arrows) {
      events.add(new Event(a.tMillis(), a, null, i++));
    }
    events.sort(Comparator.comparingDouble(Event::t).thenComparingInt(Event::order));
    return events;
  }

  /** Vertical space for a gap of {@code dt} ms between two rows, before the next row. */
  private static int gapPx(double dt) {
    if (dt > BREAK_MILLIS) {
      return 34;
    }
    return (int) Math.round(Math.min(26, 9 * Math.log10(1 + Math.max(0, dt) * 10)));
  }

  /** The ladder as a standalone SVG document (720 px wide). */
  public static String svg(String title, List<Arrow> arrows, List<Mark> marks) {
    return svg(title, null, arrows, marks);
  }

  /**
   * The ladder as a standalone SVG document (720 px wide). The title wraps to the width; {@code
   * notice}, when not null or empty, is drawn right under it in a tinted, outlined box in bold
   * (e.g. why there are no packets and how to turn them on), so a reader cannot miss it.
   */
  public static String svg(String title, String notice, List<Arrow> arrows, List<Mark> marks) {
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
      String name = x == CLIENT_X ? "client" : "server";
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
      svg.append(text((CLIENT_X + SERVER_X) / 2, b + 4, "middle", "#999", false, "(time cut)"));
    }
    if (events.isEmpty()) {
      svg.append(
          text((CLIENT_X + SERVER_X) / 2, top + 14, "middle", "#999", false, "(nothing to show)"));
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

  private static String millis(double t) {
    return String.format(Locale.ROOT, Math.abs(t) < 10 ? "%.2f" : "%.1f", t);
  }

  /** A time label: "+1.23 ms", "+123.4 ms", "+12.35 s" (at most 9 characters up to 999 s). */
  private static String timeLabel(double t) {
    return Math.abs(t) < 1000
        ? "+" + millis(t) + " ms"
        : String.format(Locale.ROOT, "+%.2f s", t / 1000);
  }

  /** Splits {@code s} into lines of at most {@code width} characters, at spaces where possible. */
  static List<String> wrap(String s, int width) {
    List<String> out = new ArrayList<>();
    for (String para : s.split("\n", -1)) {
      String rest = para;
      while (rest.length() > width) {
        int cut = rest.lastIndexOf(' ', width);
        if (cut < width / 2) {
          cut = width;
        }
        out.add(rest.substring(0, cut).stripTrailing());
        rest = rest.substring(cut).stripLeading();
      }
      out.add(rest);
    }
    return out;
  }

  /** The same ladder as plain text, for frontends without SVG. */
  public static String text(String title, List<Arrow> arrows, List<Mark> marks) {
    return text(title, null, arrows, marks);
  }

  /** The same ladder as plain text, with the notice (if any) under the title between "!!" bars. */
  public static String text(String title, String notice, List<Arrow> arrows, List<Mark> marks) {
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
        .append("client")
        .append(pad("", serverCol - clientCol - 6))
        .append("server\n");
    String empty = pad("", 10) + pad("", markW) + " |" + pad("", span) + "|";
    double prevT = Double.NaN;
    for (Event e : events(arrows, marks)) {
      if (!Double.isNaN(prevT) && e.t() - prevT > BREAK_MILLIS) {
        b.append(pad("", 10))
            .append(pad("", markW))
            .append(" ~")
            .append(pad("   (time cut)", span))
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

  /** Writes an SVG document to {@code file} (UTF-8), creating parent directories. */
  public static void save(String svg, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, svg, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not save the ladder to " + file + ": " + e.getMessage(), e);
    }
  }

  /** Shows the ladder in a notebook (SVG, text elsewhere). */
  public static void show(String title, List<Arrow> arrows, List<Mark> marks) {
    Display.svg(svg(title, arrows, marks), text(title, arrows, marks));
  }

  private static final Pattern STATES = Pattern.compile("client (\\S+).*· server (\\S+)");

  /**
   * Marks from a scenario's calls table ({@code Result.calls()}): each call with its C result (the
   * Java view where C is not observable), failures in red, and each state change ("→ CLOSE_WAIT")
   * just after the call that led to it.
   */
  public static List<Mark> marks(Table calls) {
    List<Mark> marks = new ArrayList<>();
    String[] last = {"", ""};
    for (int r = 0; r < calls.rowCount(); r++) {
      double t = calls.doubleColumn("t (ms)").getDouble(r);
      Side side = "server".equals(calls.getString(r, "side")) ? Side.SERVER : Side.CLIENT;
      String call = calls.getString(r, "call (C terms)");
      String c = calls.getString(r, "C view: returned, errno");
      String java = calls.getString(r, "Java view");
      String view = c.startsWith("not observable") ? "Java: " + java : c;
      boolean failure = Failure.is(view);
      marks.add(
          new Mark(
              t,
              side,
              call.startsWith("wait") || call.startsWith("pause") ? call : call + " = " + view,
              failure));
      Matcher m = STATES.matcher(calls.getString(r, "states after (C run)"));
      if (m.find()) {
        for (Side s : Side.values()) {
          String state = m.group(s == Side.CLIENT ? 1 : 2);
          if (!state.equals(last[s.ordinal()])) {
            if (!last[s.ordinal()].isEmpty() || !state.equals("ESTABLISHED")) {
              marks.add(new Mark(t + 0.001, s, "→ " + state, false));
            }
            last[s.ordinal()] = state;
          }
        }
      }
    }
    return marks;
  }
}
