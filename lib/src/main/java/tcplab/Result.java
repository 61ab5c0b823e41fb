package tcplab;

import java.util.ArrayList;
import java.util.List;
import tcplab.draw.Failure;
import tcplab.draw.Ladder;
import tcplab.engine.Run;
import tcplab.engine.Side;
import tcplab.observe.Capture;
import tcplab.text.Text;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** What a scenario run observed: one row per step, with the C view, the Java view and the check. */
public final class Result {
  private final Scenario scenario;
  private final Run.Trace c;
  private final Run.Trace java;
  private final String cMissing;

  public Result(Scenario scenario, Run.Trace c, Run.Trace java, String cMissing) {
    this.scenario = scenario;
    this.c = c;
    this.java = java;
    this.cMissing = cMissing;
  }

  /** The name of the calls table's readiness column. */
  static final String READY_COLUMN = "ready after (poll, C run)";

  Scenario scenario() {
    return scenario;
  }

  Run.Trace cTrace() {
    return c;
  }

  Run.Trace javaTrace() {
    return java;
  }

  String cMissing() {
    return cMissing;
  }

  /**
   * The calls table: time, side, call, C view, Java view, expected (Linux), check, states after,
   * and what poll() reports on each side's socket after the step (C run).
   */
  public Table calls() {
    Run.Trace timing = c != null ? c : java;
    DoubleColumn t = DoubleColumn.create("t (ms)");
    StringColumn side = StringColumn.create("side");
    StringColumn call = StringColumn.create("call (C terms)");
    StringColumn cView = StringColumn.create("C view: returned, errno");
    StringColumn jView = StringColumn.create("Java view");
    StringColumn expected = StringColumn.create("expected (Linux)");
    StringColumn check = StringColumn.create("check");
    StringColumn states = StringColumn.create("states after (C run)");
    StringColumn ready = StringColumn.create(READY_COLUMN);
    List<Step> steps = scenario.steps();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      t.append(Math.round(timing.times().get(i) * 100) / 100.0);
      side.append(s.side().toString());
      call.append(s.call());
      cView.append(c != null ? c.views().get(i) : "not observable here: " + cMissing);
      jView.append(java.views().get(i));
      expected.append(s.expected() == null ? "" : s.expected());
      check.append(checkText(s, i));
      states.append(timing.states().get(i));
      ready.append(c != null ? c.ready().get(i) : "not observable here: " + cMissing);
    }
    return Table.create(
        scenario.name(), t, side, call, cView, jView, expected, check, states, ready);
  }

  private String checkText(Step s, int i) {
    if (s.expected() == null) {
      return "";
    }
    if (c == null) {
      return "not checked";
    }
    return s.matches(c.views().get(i)) ? "as expected" : "MISMATCH: expected " + s.expected();
  }

  /** The scenario's name. */
  public String name() {
    return scenario.name();
  }

  /** The packets of the C pass (the Java pass where C is not observable), one row per segment. */
  public Table packets() {
    return packets(c == null);
  }

  /** The packets of one pass: {@code javaPass} false for the C pass, true for the Java pass. */
  public Table packets(boolean javaPass) {
    Run.Trace t = javaPass || c == null ? java : c;
    Table table = Capture.table(t.packets(), t.t0EpochSeconds(), t.clientPort());
    return table.setName(
        t.captureNote() != null
            ? t.captureNote()
            : "packets on the wire, " + (t == c ? "C" : "Java") + " pass: " + scenario.name());
  }

  /** Why there are no packets (capture not allowed or not installed), or null when there are. */
  public String captureNote() {
    return (c != null ? c : java).captureNote();
  }

  /**
   * The ladder diagram of one pass as SVG: segments between the two lifelines, calls and states on
   * them.
   */
  public String ladder(boolean javaPass) {
    return Ladder.svg(
        ladderTitle(javaPass), ladderNotice(javaPass), arrows(javaPass), marks(javaPass));
  }

  /** The same ladder as plain text, for frontends that show no SVG. */
  public String ladderText(boolean javaPass) {
    return Ladder.text(
        ladderTitle(javaPass), ladderNotice(javaPass), arrows(javaPass), marks(javaPass));
  }

  private String ladderTitle(boolean javaPass) {
    Run.Trace t = javaPass || c == null ? java : c;
    return scenario.name() + " (" + (t == c ? "C" : "Java") + " pass)";
  }

  /**
   * Null with packets; else the capture note, which says why there are none and how to turn them
   * on.
   */
  private String ladderNotice(boolean javaPass) {
    Run.Trace t = javaPass || c == null ? java : c;
    return Ladder.noPackets(t.captureNote());
  }

  private List<Ladder.Arrow> arrows(boolean javaPass) {
    Run.Trace t = javaPass || c == null ? java : c;
    return Capture.arrows(t.packets(), t.t0EpochSeconds(), t.clientPort());
  }

  private List<Ladder.Mark> marks(boolean javaPass) {
    Run.Trace t = javaPass || c == null ? java : c;
    Run.Trace timing = c != null ? c : java;
    List<Ladder.Mark> marks = new ArrayList<>();
    String[] last = {"ESTABLISHED", "ESTABLISHED"};
    for (int i = 0; i < scenario.steps().size(); i++) {
      Step s = scenario.steps().get(i);
      String view = t.views().get(i);
      boolean failure = Failure.is(view);
      marks.add(
          new Ladder.Mark(
              t.times().get(i),
              s.side(),
              s.isWait() ? s.call() + ": " + view : s.call() + " = " + view,
              failure));
      if (t == timing) {
        String states = t.states().get(i);
        for (Side side : Side.values()) {
          int at = states.indexOf(side + " ");
          if (at < 0) {
            continue;
          }
          String state = states.substring(at + side.toString().length() + 1).split("[ ·]")[0];
          if (!state.equals(last[side.ordinal()])) {
            marks.add(new Ladder.Mark(t.stateTimes().get(i), side, "→ " + state, false));
            last[side.ordinal()] = state;
          }
        }
      }
    }
    return marks;
  }

  /** How many steps returned something other than what Linux is expected to return. */
  public int mismatches() {
    if (c == null) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < scenario.steps().size(); i++) {
      if (!scenario.steps().get(i).matches(c.views().get(i))) {
        n++;
      }
    }
    return n;
  }

  /** The C view of each step, in order ("not observable here" without JNA). */
  public List<String> cViews() {
    return c == null ? List.of() : List.copyOf(c.views());
  }

  /**
   * What poll() reported on each side's socket after each step of the C pass ("client IN OUT ·
   * server OUT"; IN = POLLIN and so on); empty without the C view.
   */
  public List<String> pollEvents() {
    return c == null ? List.of() : List.copyOf(c.ready());
  }

  /**
   * What epoll_wait() (level-triggered, timeout 0) reported on the same sockets at the same
   * moments; empty without the C view.
   */
  public List<String> epollEvents() {
    return c == null ? List.of() : List.copyOf(c.readyEpoll());
  }

  /** The Java view of each step, in order. */
  public List<String> javaViews() {
    return List.copyOf(java.views());
  }

  /** Everything observed except times and port numbers: equal strings mean identical outcomes. */
  public String outcome() {
    List<String> parts = new ArrayList<>(cViews());
    parts.addAll(javaViews());
    return String.join(" | ", parts).replaceAll("after [0-9.]+ ms", "after _ ms");
  }

  /** Wall time of the C pass and the Java pass together, in ms (excluding process start-up). */
  public double wallMillis() {
    return (c == null ? 0 : c.wallMillis()) + java.wallMillis();
  }

  /** One line: the scenario, its step count and the check's verdict. */
  public String summary() {
    String verdict =
        c == null
            ? Text.get("result.noC", Text.shown(cMissing))
            : mismatches() == 0
                ? Text.get("result.allMatch")
                : Text.get("result.someDiffer", mismatches());
    return Text.get(
        "result.summary", Text.shown(scenario.name()), scenario.steps().size(), verdict);
  }

  @Override
  public String toString() {
    return summary();
  }
}
