package tcplab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import tcplab.engine.Side;
import tcplab.observe.TcpState;
import tcplab.proc.ChildJvm;
import tcplab.text.Text;

/**
 * A scenario in the lesson's words: two peers on 127.0.0.1 and the steps each takes.
 *
 * <pre>{@code
 * Result r = Scenario.named("crashed receiver")
 *     .client().write("hello")
 *     .server().awaitUnread(5)
 *     .server().crash()
 *     .client().read().expect("-1 ECONNRESET")
 *     .run();
 * Show.table(r.calls());
 * }</pre>
 *
 * <p>{@link #run()} plays the steps twice on fresh connections: once with real libc calls on the
 * socket's file descriptor (the C view) and once with java.net.Socket (the Java view). A server
 * that crashes runs in its own process and is killed with SIGKILL.
 */
public final class Scenario {
  /** Largest step deadline (ms). */
  public static final int MAX_DEADLINE_MS = 30_000;

  /** Largest write or read (bytes). */
  public static final int MAX_BYTES = 1 << 20;

  private final String name;
  private final List<Step> steps = new ArrayList<>();
  private int stepDeadlineMillis = 2_000;

  private Scenario(String name) {
    this.name = name;
  }

  /** A new, empty scenario. */
  public static Scenario named(String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(Text.get("param.scenarioName"));
    }
    ScenarioHost
        .prestart(); // the first scenario of a notebook starts the private host while the cell
    // builds it
    return new Scenario(name);
  }

  /** The scenario's name. */
  public String name() {
    return name;
  }

  /** The steps so far (read-only). */
  public List<Step> steps() {
    return Collections.unmodifiableList(steps);
  }

  /** The deadline of every blocking step. */
  public int stepDeadlineMillis() {
    return stepDeadlineMillis;
  }

  /** The client peer: the next step is the client's. */
  public Peer client() {
    return new Peer(Side.CLIENT);
  }

  /** The server peer: the next step is the server's. */
  public Peer server() {
    return new Peer(Side.SERVER);
  }

  /** Sets the deadline of every blocking call (1 .. 30000 ms; default 2000). */
  public Scenario stepDeadline(int millis) {
    stepDeadlineMillis = Check.range("stepDeadlineMillis", millis, 1, MAX_DEADLINE_MS, "ms");
    return this;
  }

  /** States what Linux returns for the previous step, in C terms: "5", "0", "-1 ECONNRESET". */
  public Scenario expect(String cResult) {
    if (steps.isEmpty()) {
      throw new IllegalStateException("expect(...) follows a step; this scenario has no step yet.");
    }
    if (cResult == null || cResult.isBlank()) {
      throw new IllegalArgumentException(
          "expect needs a C result such as \"5\", \"0\" or \"-1 EPIPE\".");
    }
    int last = steps.size() - 1;
    steps.set(last, steps.get(last).expecting(cResult.trim()));
    return this;
  }

  /** True when a step crashes the server, so the server runs in its own process. */
  public boolean serverCrashes() {
    return steps.stream().anyMatch(s -> s.op() == Step.Op.CRASH);
  }

  /**
   * Plays the scenario (C view, then Java view) and returns what happened. As root it plays in this
   * JVM; as another user, where user namespaces work, in a private host of its own (its own
   * loopback, packets captured there); else in this JVM, without packets, and the result says why.
   * {@code TCPLAB_HOST=here|private} forces it.
   */
  public Result run() {
    return run(row -> {});
  }

  /** Like {@link #run()}; {@code eachRow} gets one line per step of each pass as it happens. */
  public Result run(Consumer<String> eachRow) {
    Parameters.requireSet(); // the notebook's parameters cell did not finish: refuse its old values
    if (steps.isEmpty()) {
      throw new IllegalStateException(
          "scenario \"" + name + "\" has no steps; add some with client()/server().");
    }
    return ScenarioHost.run(this, Objects.requireNonNull(eachRow, "eachRow"));
  }

  // ---------------------------------------------------------------- as text (to play it in another
  // JVM)

  /**
   * The scenario as lines: {@code name}, {@code deadline}, then one {@code step} line per step
   * (tab-separated).
   */
  String toText() {
    StringBuilder b = new StringBuilder();
    b.append("name\t").append(ChildJvm.esc(name)).append('\n');
    b.append("deadline\t").append(stepDeadlineMillis).append('\n');
    for (Step st : steps) {
      b.append("step\t")
          .append(st.side().name())
          .append('\t')
          .append(st.op().name())
          .append('\t')
          .append(ChildJvm.esc(st.text()))
          .append('\t')
          .append(st.number())
          .append('\t')
          .append(st.expected() == null ? "\\0" : ChildJvm.esc(st.expected()))
          .append('\n');
    }
    return b.toString();
  }

  /** The scenario {@link #toText()} wrote. */
  static Scenario fromText(String text) {
    Scenario s = null;
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "name" -> s = new Scenario(ChildJvm.unesc(f[1]));
        case "deadline" -> s.stepDeadlineMillis = Integer.parseInt(f[1]);
        case "step" ->
            s.steps.add(
                new Step(
                    Side.valueOf(f[1]),
                    Step.Op.valueOf(f[2]),
                    ChildJvm.unesc(f[3]),
                    Integer.parseInt(f[4]),
                    f[5].equals("\\0") ? null : ChildJvm.unesc(f[5])));
        default -> {}
      }
    }
    if (s == null) {
      throw new IllegalArgumentException("no scenario in the text: it has no name line.");
    }
    return s;
  }

  private Scenario add(Side side, Step.Op op, String text, int number) {
    steps.add(new Step(side, op, text, number, null));
    return this;
  }

  /** The steps one peer can take; each returns the scenario, so steps chain. */
  public final class Peer {
    private final Side side;

    private Peer(Side side) {
      this.side = side;
    }

    /** write(fd, text): what the lesson calls send. */
    public Scenario write(String text) {
      return add(side, Step.Op.WRITE, text(text), 0);
    }

    /** write(fd, n bytes of 'x'). */
    public Scenario write(int bytes) {
      return add(
          side, Step.Op.WRITE, "x".repeat(Check.range("bytes", bytes, 1, MAX_BYTES, "bytes")), 0);
    }

    /** send(fd, text, MSG_NOSIGNAL): fails with EPIPE but never raises SIGPIPE. */
    public Scenario sendNoSignal(String text) {
      return add(side, Step.Op.SEND_NOSIGNAL, text(text), 0);
    }

    /** read(fd, buf, 1024), bounded by the step deadline. */
    public Scenario read() {
      return read(1024);
    }

    /** read(fd, buf, max), bounded by the step deadline. */
    public Scenario read(int max) {
      return add(side, Step.Op.READ, "", Check.range("max", max, 1, MAX_BYTES, "bytes"));
    }

    /** shutdown(fd, SHUT_WR): half-close; the peer reads end-of-stream but may still send. */
    public Scenario shutdownWrite() {
      return add(side, Step.Op.SHUTDOWN_WRITE, "", 0);
    }

    /** shutdown(fd, SHUT_RD). */
    public Scenario shutdownRead() {
      return add(side, Step.Op.SHUTDOWN_READ, "", 0);
    }

    /** close(fd): FIN, or RST if unread data is left (C); Java's close sends FIN first. */
    public Scenario close() {
      return add(side, Step.Op.CLOSE, "", 0);
    }

    /** SO_LINGER {1,0} then close(fd): an RST and no FIN. */
    public Scenario closeWithReset() {
      return add(side, Step.Op.CLOSE_RESET, "", 0);
    }

    /** The peer's process is killed with SIGKILL (server only). */
    public Scenario crash() {
      if (side != Side.SERVER) {
        throw new IllegalArgumentException(
            "crash() is for the server peer, which runs in its own process; "
                + "write .server().crash().");
      }
      return add(side, Step.Op.CRASH, "", 0);
    }

    /** Waits until this peer's receive queue holds at least {@code bytes} unread bytes. */
    public Scenario awaitUnread(int bytes) {
      return add(
          side,
          Step.Op.AWAIT_UNREAD,
          "",
          Check.range("bytes", bytes, 0, Integer.MAX_VALUE, "bytes"));
    }

    /**
     * Waits until this peer's send queue holds at most {@code bytes} bytes (0: everything sent was
     * ACKed).
     */
    public Scenario awaitSendQueue(int bytes) {
      return add(
          side,
          Step.Op.AWAIT_SEND_QUEUE,
          "",
          Check.range("bytes", bytes, 0, Integer.MAX_VALUE, "bytes"));
    }

    /**
     * Waits until this peer's socket is in {@code state} (e.g. "CLOSE_WAIT"; "CLOSED": no longer
     * listed by the kernel).
     */
    public Scenario awaitState(String state) {
      if (!TcpState.isState(state)) {
        throw new IllegalArgumentException(
            Text.get("param.state", TcpState.names(), "\"" + state + "\""));
      }
      return add(side, Step.Op.AWAIT_STATE, state, 0);
    }

    /** Pauses {@code millis} ms (0 .. 10000): only where the lesson itself sleeps. */
    public Scenario pause(int millis) {
      return add(side, Step.Op.PAUSE, "", Check.range("millis", millis, 0, 10_000, "ms"));
    }

    private String text(String text) {
      if (text == null || text.isEmpty()) {
        throw new IllegalArgumentException(Text.get("param.textEmpty"));
      }
      if (text.length() > MAX_BYTES) {
        throw new IllegalArgumentException(Text.get("param.textLong", MAX_BYTES));
      }
      return text;
    }
  }
}
