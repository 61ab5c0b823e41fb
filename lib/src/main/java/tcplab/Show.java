package tcplab;

import tcplab.draw.Display;
import tcplab.draw.Html;
import tcplab.text.Text;
import tech.tablesaw.api.Table;

/**
 * Rich output in a notebook, on every Java kernel, without calling any kernel API from a cell.
 *
 * <p>{@link Display} finds the running kernel by reflection (rapaio, IJava, JJava) and displays the
 * kernel's own {@code DisplayData}; outside a kernel (JShell, unit tests) it prints the text form.
 * Every method returns {@code void}, so no stray {@code Out[]} appears.
 */
public final class Show {
  private Show() {}

  /** Call once at the top of a notebook: makes rapaio show plain values as text, as IJava does. */
  public static void init() {
    Display.init();
  }

  /** Shows HTML, with {@code text} as the plain-text fallback. */
  public static void html(String html, String text) {
    Display.html(html, text);
  }

  /** Shows a Tablesaw table as a compact HTML table (failures coloured), text elsewhere. */
  public static void table(Table table) {
    html(Html.table(table), Html.text(table));
  }

  /**
   * Shows the table of a network story (notebooks 05-06); {@code wire.show()} adds its ladder and
   * packets.
   */
  public static void table(Wire wire) {
    table(wire.table());
  }

  /** Shows an SVG drawing, with an HTML copy for frontends without SVG, and text elsewhere. */
  public static void svg(String svg, String text) {
    Display.svg(svg, text);
  }

  /**
   * Shows a scenario result: its calls table and a one-line verdict. A step whose C result differs
   * from what Linux is expected to return is also reported on standard error, so that a headless
   * run of the notebook fails loudly instead of hiding it.
   */
  public static void result(Result result) {
    table(result.calls());
    note(result.summary());
    if (result.mismatches() > 0) {
      System.err.println("MISMATCH in \"" + result.name() + "\": " + result.summary());
    }
  }

  /**
   * The three views of one run together: the calls table (with each side's state after every step),
   * the ladder diagram (packets between the lifelines, calls and states on them) and the packets
   * table. Without packet capture it says so in one line and still draws calls and states.
   */
  public static void wire(Result result) {
    wire(result, false);
  }

  /** Like {@link #wire(Result)} for the C pass ({@code javaPass} false) or the Java pass (true). */
  public static void wire(Result result, boolean javaPass) {
    result(result);
    if (result.captureNote() != null) {
      note(Text.get("show.noPacketsCalls", Text.shown(result.captureNote())));
    }
    svg(result.ladder(javaPass), result.ladderText(javaPass));
    if (result.captureNote() == null) {
      table(result.packets(javaPass));
    }
  }

  /**
   * Shows a lesson-17 story with its packets (any story of {@link NetworkCut} or {@link
   * HostReboot}): the table, the ladder and the packets table; without packets, the note says why.
   */
  public static void wire(Wire wire) {
    table(wire.table());
    if (wire.note() != null) {
      note(Text.get("show.noPacketsRows", Text.shown(wire.note())));
    }
    svg(wire.svg(), wire.text());
    if (wire.packets() != null) {
      table(wire.packets());
    }
  }

  /** Shows a scenario's steps as a numbered list, before it runs. */
  public static void steps(Scenario scenario) {
    String name = Text.shown(scenario.name());
    StringBuilder text = new StringBuilder(name).append(":\n");
    StringBuilder html =
        new StringBuilder("<b>")
            .append(Html.escape(name))
            .append("</b><ol style=\"font-family:monospace;font-size:12px\">");
    for (Step s : scenario.steps()) {
      String line =
          Text.shown(s.side().toString())
              + ": "
              + s.call()
              + (s.expected() == null ? "" : Text.get("show.steps.expect", s.expected()));
      text.append("  ").append(line).append('\n');
      html.append("<li>").append(Html.escape(line)).append("</li>");
    }
    html(html.append("</ol>").toString(), text.toString());
  }

  /**
   * Shows preformatted text (a block of lines such as a probe's report) as it is (in Chinese, its
   * known English parts translated).
   */
  public static void pre(String english) {
    String text = Text.shown(english);
    html("<pre style=\"font-size:12px\">" + Html.escape(text) + "</pre>", text);
  }

  /** Shows a short note (one paragraph) as HTML and text, in the lab's language. */
  public static void note(String english) {
    String text = Text.shown(english);
    html("<p>" + Html.escape(text) + "</p>", text);
  }
}
