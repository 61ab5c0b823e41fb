package tcplab.draw;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tcplab.draw.Ladder.Arrow;
import tcplab.draw.Ladder.Mark;

/**
 * Where things go on a {@link Ladder}: the positions of the two lifelines, the estimate of a text's
 * width, the wrapping of long text into the room beside a lifeline, the order of the rows, the
 * vertical space between them (the logarithm of the gap, cut over {@link Ladder#BREAK_MILLIS}) and
 * the time labels. {@link LadderSvg} and {@link LadderText} draw with it.
 */
final class LadderLayout {
  private LadderLayout() {}

  /**
   * Width of the SVG (px): it fits a notebook's output area (about 800-1000 px) without scaling.
   */
  static final int WIDTH = 720;

  /** Right end of the time labels ("+12.34 ms", anchored at their end). */
  static final int TIME_X = 70;

  static final int CLIENT_X = 290;
  static final int SERVER_X = 484;
  static final int CHAR_PX =
      7; // 11px monospace is ~6.6 px a character: textWidth(…, 11) rounds up to 7
  static final int LINE_PX = 14;
  static final int TITLE_PX = 13;
  static final int NOTICE_PX = 12;
  static final int MARGIN = 6; // free space beside the time labels and at the right edge
  static final int CLIENT_CHARS = (CLIENT_X - 8 - (TIME_X + MARGIN) - 8) / CHAR_PX;
  static final int SERVER_CHARS = (WIDTH - MARGIN - (SERVER_X + 8) - 8) / CHAR_PX;

  /** See {@link Ladder#textWidth}. */
  static double textWidth(int chars, int fontSize) {
    return chars * (fontSize == 11 ? CHAR_PX : fontSize * 0.64);
  }

  /** How many characters of {@code fontSize} px text fit in {@code px}. */
  static int charsIn(int px, int fontSize) {
    return (int) Math.floor(px / textWidth(1, fontSize));
  }

  record Event(double t, Arrow arrow, Mark mark, int order) {
    List<String> lines(int width) {
      return arrow != null ? List.of(arrow.label()) : wrap(mark.text(), width);
    }
  }

  static List<Event> events(List<Arrow> arrows, List<Mark> marks) {
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
  static int gapPx(double dt) {
    if (dt > Ladder.BREAK_MILLIS) {
      return 34;
    }
    return (int) Math.round(Math.min(26, 9 * Math.log10(1 + Math.max(0, dt) * 10)));
  }

  static String millis(double t) {
    return String.format(Locale.ROOT, Math.abs(t) < 10 ? "%.2f" : "%.1f", t);
  }

  /** A time label: "+1.23 ms", "+123.4 ms", "+12.35 s" (at most 9 characters up to 999 s). */
  static String timeLabel(double t) {
    return Math.abs(t) < 1000
        ? "+" + millis(t) + " ms"
        : String.format(Locale.ROOT, "+%.2f s", t / 1000);
  }

  /** Splits {@code s} into lines of at most {@code width} characters, at spaces where possible. */
  static List<String> wrap(String s, int width) {
    List<String> out = new ArrayList<>();
    for (String para : s.split("\n", -1)) {
      String rest = para;
      while (columns(rest) > width) {
        int fit = fit(rest, width);
        int cut = rest.lastIndexOf(' ', fit);
        if (cut < fit / 2) {
          cut = fit;
        }
        out.add(rest.substring(0, cut).stripTrailing());
        rest = rest.substring(cut).stripLeading();
      }
      out.add(rest);
    }
    return out;
  }

  /**
   * The width of {@code s} in columns of monospace text: a Chinese character (or any wide one) is
   * two, every other character one.
   */
  static int columns(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      n += wide(s.charAt(i)) ? 2 : 1;
    }
    return n;
  }

  /** How many characters of {@code s} fit in {@code width} columns (at least one). */
  private static int fit(String s, int width) {
    int n = 0;
    int i = 0;
    while (i < s.length() && n + (wide(s.charAt(i)) ? 2 : 1) <= width) {
      n += wide(s.charAt(i)) ? 2 : 1;
      i++;
    }
    return Math.max(1, i);
  }

  /** CJK, Hangul, fullwidth forms and CJK punctuation take two columns. */
  private static boolean wide(char c) {
    return (c >= 0x1100 && c <= 0x115F)
        || (c >= 0x2E80 && c <= 0xA4CF)
        || (c >= 0xAC00 && c <= 0xD7A3)
        || (c >= 0xF900 && c <= 0xFAFF)
        || (c >= 0xFE30 && c <= 0xFE4F)
        || (c >= 0xFF00 && c <= 0xFF60)
        || (c >= 0xFFE0 && c <= 0xFFE6);
  }
}
