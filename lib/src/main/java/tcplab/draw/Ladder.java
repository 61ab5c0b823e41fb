package tcplab.draw;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.engine.Side;
import tcplab.text.Text;
import tech.tablesaw.api.Table;

/**
 * A ladder (sequence) diagram of one connection: the client's lifeline on the left, the server's on
 * the right, time downward. Segments are arrows between the lifelines; calls, their results and
 * state changes are boxes beside the lifeline of the peer they belong to.
 *
 * <p>Time is drawn for reading, not to scale: events keep their order, each gets its own row, the
 * space between rows grows with the logarithm of the gap, and a gap over 200 ms is cut (a break
 * mark on both lifelines). The left margin gives each event's time, "+12.3 ms" from the start.
 *
 * <p>{@link LadderLayout} places things, {@link LadderSvg} and {@link LadderText} draw them.
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

  /** Colour of the notice that says the ladder has no packets. */
  public static final String NOTICE = "#8a3b00";

  /**
   * The width (px) this renderer reserves for {@code chars} characters of monospace text at {@code
   * fontSize} px: 0.64 em a character (DejaVu Sans Mono and Liberation Mono are 0.60 em), so an
   * estimate that fits is never short. Layout and the layout test use the same estimate.
   */
  public static double textWidth(int chars, int fontSize) {
    return LadderLayout.textWidth(chars, fontSize);
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
    return Text.get("ladder.noPackets", Text.shown(why));
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
    return LadderSvg.svg(Text.shown(title), notice, arrows, marks);
  }

  /** The same ladder as plain text, for frontends without SVG. */
  public static String text(String title, List<Arrow> arrows, List<Mark> marks) {
    return text(title, null, arrows, marks);
  }

  /** The same ladder as plain text, with the notice (if any) under the title between "!!" bars. */
  public static String text(String title, String notice, List<Arrow> arrows, List<Mark> marks) {
    return LadderText.text(Text.shown(title), notice, arrows, marks);
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
