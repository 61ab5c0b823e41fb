package tcplab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tcplab.engine.Rows;
import tcplab.engine.SelectorRun;
import tcplab.engine.StdinRace;
import tcplab.observe.CView;
import tech.tablesaw.api.Table;

/**
 * Notebook 07: what a program that waits for readiness (poll, epoll, a Java NIO selector) is told
 * when the peer sends FIN or RST, and the lesson's stdin question. The events are asked of the real
 * kernel after every step: poll() and epoll_wait() with a timeout of 0 on each side's fd.
 */
public final class Readiness {
  private Readiness() {}

  /** Longest deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  /** Latest moment the lab may type the line into the client's stdin. */
  public static final int MAX_LINE_AFTER_MS = 10_000;

  // spotless:off: one step per line, as a notebook cell writes a scenario
  /** The peer closes with nothing unread: FIN; then the client writes and draws an RST. */
  public static Scenario peerCloses() {
    return Scenario.named("readiness: the peer closes (FIN)")
        .client().write("req").expect("3")
        .server().read().expect("3")
        .server().close().expect("0")
        .client().awaitState("CLOSE_WAIT")
        .client().read().expect("0")
        .client().write("ping").expect("4")
        .client().awaitState("CLOSED")
        .client().write("ping").expect("-1 EPIPE");
  }

  /** The peer closes with the client's bytes unread: RST. */
  public static Scenario peerResets() {
    return Scenario.named("readiness: the peer resets (close with unread data)")
        .client().write("abc").expect("3")
        .server().awaitUnread(3)
        .server().close().expect("0")
        .client().awaitState("CLOSED")
        .client().read().expect("-1 ECONNRESET")
        .client().read().expect("0");
  }

  /** Half-close: the client sends its request and shutdown(SHUT_WR); the server still answers. */
  public static Scenario halfClose() {
    return Scenario.named("readiness: half-close")
        .client().write("req").expect("3")
        .client().shutdownWrite().expect("0")
        .server().awaitState("CLOSE_WAIT")
        .server().read().expect("3")
        .server().read().expect("0")
        .server().write("resp").expect("4")
        .client().awaitUnread(4)
        .server().close().expect("0")
        .client().awaitState("TIME_WAIT")
        .client().read().expect("4")
        .client().read().expect("0");
  }

  /** The server process is killed with unread data (notebook 02): RST, and the process is gone. */
  public static Scenario peerCrashes() {
    return Scenario.named("readiness: the peer crashes with unread data")
        .client().write("hello").expect("5")
        .server().awaitUnread(5)
        .server().crash()
        .client().awaitState("CLOSED")
        .client().read().expect("-1 ECONNRESET")
        .client().read().expect("0");
  }
  // spotless:on

  /**
   * What Linux's poll() reported after each step of the scenarios above in the lab's runs ({@code
   * make bench} plays each 100 times).
   */
  private static final Map<String, List<String>> EXPECTED =
      Map.of(
          peerCloses().name(),
          List.of(
              "client OUT · server IN OUT",
              "client OUT · server OUT",
              "client IN OUT RDHUP · server closed",
              "client IN OUT RDHUP · server closed",
              "client IN OUT RDHUP · server closed",
              "client IN OUT ERR HUP RDHUP · server closed",
              "client IN OUT ERR HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed"),
          peerResets().name(),
          List.of(
              "client OUT · server IN OUT",
              "client OUT · server IN OUT",
              "client IN OUT ERR HUP RDHUP · server closed",
              "client IN OUT ERR HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed"),
          halfClose().name(),
          List.of(
              "client OUT · server IN OUT",
              "client OUT · server IN OUT RDHUP",
              "client OUT · server IN OUT RDHUP",
              "client OUT · server IN OUT RDHUP",
              "client OUT · server IN OUT RDHUP",
              "client IN OUT · server IN OUT RDHUP",
              "client IN OUT · server IN OUT RDHUP",
              "client IN OUT HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed",
              "client IN OUT HUP RDHUP · server closed"),
          peerCrashes().name(),
          List.of(
              "client OUT · server IN OUT",
              "client OUT · server IN OUT",
              "client IN OUT ERR HUP RDHUP · server process gone",
              "client IN OUT ERR HUP RDHUP · server process gone",
              "client IN OUT HUP RDHUP · server process gone",
              "client IN OUT HUP RDHUP · server process gone"));

  /**
   * What Linux's poll() is expected to report after each step of {@code s} ("client IN OUT · server
   * closed"); empty for a scenario of your own.
   */
  public static List<String> expectedPoll(Scenario s) {
    List<String> e = EXPECTED.get(s.name());
    return e == null || e.size() != s.steps().size() ? List.of() : e;
  }

  /**
   * The readiness table of a played scenario: per step, the call and its C result, then what poll()
   * reported on the client's and the server's socket right after it, what Linux is expected to
   * report, and the check.
   */
  public static Table poll(Result r) {
    Rows t =
        new Rows(
            "side",
            "call (C terms)",
            "C view: returned, errno",
            "client: poll() after",
            "server: poll() after",
            "expected (Linux)",
            "check");
    List<String> polled = r.pollEvents();
    List<String> expected = expectedPoll(r.scenario());
    List<Step> steps = r.scenario().steps();
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      String p = polled.isEmpty() ? null : polled.get(i);
      String e = expected.isEmpty() ? "" : expected.get(i);
      t.add(
          s.side().toString(),
          s.call(),
          r.cViews().isEmpty() ? "not observable here: " + r.cMissing() : r.cViews().get(i),
          p == null ? "not observable here: " + r.cMissing() : part(p, "client"),
          p == null ? "" : part(p, "server"),
          e,
          p == null || e.isEmpty() ? "" : p.equals(e) ? "as expected" : "MISMATCH: expected " + e);
    }
    return t.table("poll() after every step: " + r.name());
  }

  /** How many steps' poll() events differ from what Linux is expected to report. */
  public static int pollMismatches(Result r) {
    List<String> e = expectedPoll(r.scenario());
    List<String> p = r.pollEvents();
    if (e.isEmpty() || p.isEmpty()) {
      return 0;
    }
    int n = 0;
    for (int i = 0; i < e.size(); i++) {
      n += e.get(i).equals(p.get(i)) ? 0 : 1;
    }
    return n;
  }

  /**
   * poll() beside epoll_wait() (level-triggered, EPOLLIN | EPOLLOUT | EPOLLRDHUP, timeout 0) on the
   * same fds at the same moments, for each played result; the last column says whether they agree.
   */
  public static Table epoll(Result... results) {
    Rows t =
        new Rows(
            "scenario", "side", "call (C terms)", "poll() after", "epoll_wait() after", "same?");
    for (Result r : results) {
      List<String> p = r.pollEvents();
      List<String> e = r.epollEvents();
      List<Step> steps = r.scenario().steps();
      for (int i = 0; i < steps.size(); i++) {
        if (p.isEmpty()) {
          t.add(
              r.name(),
              steps.get(i).side().toString(),
              steps.get(i).call(),
              "not observable here: " + r.cMissing(),
              "",
              "");
          continue;
        }
        t.add(
            r.name(),
            steps.get(i).side().toString(),
            steps.get(i).call(),
            p.get(i),
            e.get(i),
            p.get(i).equals(e.get(i)) ? "same" : "DIFFERENT");
      }
    }
    return t.table("poll() and epoll_wait() after every step");
  }

  /** How many steps of the results have epoll events that differ from poll's. */
  public static int epollDifferences(Result... results) {
    int n = 0;
    for (Result r : results) {
      for (int i = 0; i < r.pollEvents().size(); i++) {
        n += r.pollEvents().get(i).equals(r.epollEvents().get(i)) ? 0 : 1;
      }
    }
    return n;
  }

  /** {@link #selector(int)} with a 2000 ms deadline. */
  public static Table selector() {
    return selector(2_000);
  }

  /**
   * A Java NIO selector watches a non-blocking client channel while the peer does nothing, closes
   * (FIN), closes with unread data (RST) or resets with SO_LINGER 0: what select() returns, the
   * readyOps, C's poll() on the same fd, and what the next two read() calls return. Every wait is
   * bounded by {@code deadlineMillis} (1 .. 30000 ms).
   */
  public static Table selector(int deadlineMillis) {
    Parameters.requireSet();
    int ms = Check.range("deadlineMillis", deadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Rows t =
        new Rows(
            "the peer",
            "select(OP_READ) =",
            "readyOps (interest OP_READ)",
            "readyOps (interest OP_READ | OP_WRITE)",
            "poll() on the same fd",
            "read() =",
            "read() again =",
            "expected (Linux, JDK 17)",
            "check");
    if (CView.unavailableReason().isPresent()) {
      t.add("any", "not observable here: " + CView.unavailableReason().get());
      return t.table("a Java NIO selector when the peer ends the connection");
    }
    for (SelectorRun.Ending e : SelectorRun.Ending.values()) {
      SelectorRun.Outcome o;
      try {
        o = SelectorRun.play(e, ms);
      } catch (IOException | RuntimeException x) {
        t.add(peer(e), "failed: " + x.getMessage());
        continue;
      }
      String expected = expectedSelector(e);
      String observed = selectorOutcome(o);
      t.add(
          peer(e),
          o.select(),
          o.readyOps(),
          o.readyOpsBoth(),
          o.poll(),
          o.read(),
          o.readAgain(),
          expected,
          observed.equals(expected) ? "as expected" : "MISMATCH: observed " + observed);
    }
    return t.table("a Java NIO selector when the peer ends the connection");
  }

  /** The selector run of one ending as one string (readyOps, read results), for tests and bench. */
  static String selectorOutcome(SelectorRun.Outcome o) {
    return o.readyOps()
        + "; "
        + o.readyOpsBoth()
        + "; read "
        + o.read()
        + (o.readAgain().isEmpty() ? "" : ", then " + o.readAgain())
        + (o.unknownBits() != 0 ? "; unknown readyOps bits " + o.unknownBits() : "");
  }

  static String expectedSelector(SelectorRun.Ending e) {
    return switch (e) {
      case NOTHING -> "none; OP_WRITE; read not called (nothing to read)";
      case FIN -> "OP_READ; OP_READ | OP_WRITE; read -1 (end of stream), then -1 (end of stream)";
      case RST_UNREAD, RST_LINGER ->
          "OP_READ; OP_READ | OP_WRITE; read SocketException: Connection reset, then SocketException:"
              + " Connection reset";
      case JAVA_CLOSE_UNREAD ->
          "OP_READ; OP_READ | OP_WRITE; read -1 (end of stream), then -1 (end of stream)";
    };
  }

  private static String peer(SelectorRun.Ending e) {
    return switch (e) {
      case NOTHING -> "does nothing (baseline)";
      case FIN -> "close(): FIN";
      case RST_UNREAD -> "close() with unread data: RST";
      case RST_LINGER -> "SO_LINGER {1,0}, close(): RST";
      case JAVA_CLOSE_UNREAD -> "Java Socket.close() with unread data: FIN, then RST";
    };
  }

  /** Plays one selector ending and returns its outcome string (for tests and the bench). */
  static String selectorOutcome(SelectorRun.Ending e, int deadlineMillis) throws IOException {
    return selectorOutcome(SelectorRun.play(e, deadlineMillis));
  }

  /** {@link #stdin(int, int)} with the line typed after 1000 ms and a 5000 ms deadline. */
  public static Table stdin() {
    return stdin(1_000, 5_000);
  }

  /**
   * The lesson's stdin question: the server closes (FIN) at once, the user types a line after
   * {@code lineAfterMillis} (1 .. 10000 ms). One client waits in poll() on stdin and the socket,
   * one is blocked reading stdin. When does each notice the FIN (its read() on the socket returns
   * 0)? Nothing waits longer than {@code deadlineMillis} (1 .. 30000 ms).
   */
  public static Table stdin(int lineAfterMillis, int deadlineMillis) {
    Parameters.requireSet();
    int line = Check.range("lineAfterMillis", lineAfterMillis, 1, MAX_LINE_AFTER_MS, "ms");
    int ms = Check.range("deadlineMillis", deadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Rows t =
        new Rows(
            "client",
            "FIN sent at",
            "line typed at",
            "read(socket) = 0 at",
            "after the FIN",
            "its calls",
            "expected",
            "check");
    if (CView.unavailableReason().isPresent()) {
      t.add("both", "not observable here: " + CView.unavailableReason().get());
      return t.table("the lesson's stdin question");
    }
    for (boolean pollBoth : new boolean[] {true, false}) {
      StdinRace.Outcome o;
      try {
        o = StdinRace.play(pollBoth, line, ms);
      } catch (IOException | RuntimeException x) {
        t.add(
            pollBoth ? "poll(stdin, socket)" : "blocked in read(stdin)",
            "failed: " + x.getMessage());
        continue;
      }
      String expected = pollBoth ? "before the line is typed" : "only after the line is typed";
      String observed =
          o.noticedAtMillis() < 0
              ? "not within " + ms + " ms"
              : o.beforeTheLine() ? "before the line is typed" : "only after the line is typed";
      t.add(
          pollBoth ? "poll(stdin, socket)" : "blocked in read(stdin)",
          ms(o.finAtMillis()),
          o.lineAtMillis() < 0 ? "not typed" : ms(o.lineAtMillis()),
          o.noticedAtMillis() < 0 ? "not within " + ms + " ms" : ms(o.noticedAtMillis()),
          o.noticedAtMillis() < 0 ? "" : ms(o.noticedAtMillis() - o.finAtMillis()),
          String.join("; ", o.calls()),
          expected,
          observed.equals(expected) ? "as expected" : "MISMATCH: " + observed);
    }
    return t.table("the lesson's stdin question: when does the client notice the FIN?");
  }

  /**
   * One stdin race as a string without times ("before the line is typed"), for tests and the bench.
   */
  static String stdinOutcome(boolean pollBoth, int lineAfterMillis, int deadlineMillis)
      throws IOException {
    StdinRace.Outcome o = StdinRace.play(pollBoth, lineAfterMillis, deadlineMillis);
    List<String> calls = new ArrayList<>();
    for (String c : o.calls()) {
      calls.add(c.replaceFirst("^[0-9.]+ ms: ", ""));
    }
    return (o.noticedAtMillis() < 0
            ? "not noticed"
            : o.beforeTheLine() ? "before the line" : "after the line")
        + ": "
        + String.join("; ", calls);
  }

  /** "IN OUT RDHUP" out of "client IN OUT RDHUP · server closed" for {@code side} "client". */
  private static String part(String polled, String side) {
    for (String p : polled.split(" · ")) {
      if (p.startsWith(side + " ")) {
        return p.substring(side.length() + 1);
      }
    }
    return "?";
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.1f ms", v);
  }
}
