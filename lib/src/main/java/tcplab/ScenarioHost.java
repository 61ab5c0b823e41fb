package tcplab;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import tcplab.engine.Run;
import tcplab.net.PrivateHost;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.ProcNetTcp;
import tcplab.proc.ChildJvm;

/**
 * Where a {@link Scenario} plays: here (this JVM, the machine's loopback) or in the {@link
 * PrivateHost} (its own network namespace, where an unprivileged user is root and packets can be
 * captured). Chosen in one place, {@link #choice()}; {@code TCPLAB_HOST=here|private} (or {@code
 * -Dtcplab.host=...}, which wins) forces it.
 *
 * <p>In the private host, {@link #playInChild} rebuilds the scenario from its text, plays it,
 * streams one line per step of each pass, and returns the traces as text; the parent rebuilds an
 * equivalent {@link Result}.
 */
final class ScenarioHost {
  private ScenarioHost() {}

  /** The system property that forces the host (the environment variable is {@code TCPLAB_HOST}). */
  static final String PROPERTY = "tcplab.host";

  private static final String NULL = "\\0"; // never the output of ChildJvm.esc

  /**
   * Where scenarios play now: "here" or "private" (a forced, unavailable "private" is an
   * IllegalStateException).
   */
  static String choice() {
    String f = System.getProperty(PROPERTY);
    if (f == null || f.isBlank()) {
      f = System.getenv("TCPLAB_HOST");
    }
    if (f != null && !f.isBlank()) {
      String v = f.strip().toLowerCase(Locale.ROOT);
      if (v.equals("here")) {
        return "here";
      }
      if (!v.equals("private")) {
        throw new IllegalArgumentException(
            "TCPLAB_HOST (or -D" + PROPERTY + ") must be here or private; got \"" + f + "\".");
      }
      if (!PrivateHost.available()) {
        throw new IllegalStateException(
            "TCPLAB_HOST=private asks for a private host, but there is none here: "
                + PrivateHost.why());
      }
      return "private";
    }
    return !Lab.isRoot() && PrivateHost.available() ? "private" : "here";
  }

  /**
   * Which capture case applies to scenarios (see {@link Capture#status()}): asked of the private
   * host when they play there (this starts it, so the first scenario is quick).
   */
  static String packets() {
    String where;
    try {
      where = choice();
    } catch (RuntimeException e) {
      return "packets: "
          + Capture.status().replaceFirst("^packets: ", "")
          + " ("
          + e.getMessage()
          + ")";
    }
    prestart(); // tables and ladder warm up in this JVM while the private host starts
    if (where.equals("here")) {
      return Capture.status()
          + (Capture.backend() == Capture.Backend.NONE && PrivateHost.available()
              ? "; user namespaces work here, but TCPLAB_HOST=here keeps scenarios in this JVM"
              : "");
    }
    try {
      return PrivateHost.play(Status.class.getName(), "", line -> {}, Duration.ofSeconds(60))
              .replaceFirst("in this JVM", "in the private host")
          + "; scenarios play there";
    } catch (RuntimeException e) {
      return "packets: unknown: " + e.getMessage();
    }
  }

  /** The capture case inside the private host. */
  static final class Status {
    private Status() {}

    static String playInChild(String payload, Consumer<String> emit) {
      return Capture.status();
    }
  }

  private static volatile boolean prestarted;

  /**
   * Makes the first scenario quick: loads Tablesaw and the ladder in this JVM in the background
   * (about 1.5 s on a loaded machine), and starts the private host when scenarios will play there.
   */
  static void prestart() {
    if (prestarted) {
      return;
    }
    prestarted = true;
    // Tablesaw's column types initialise each other in their static initialisers: two threads that
    // enter by different classes (this warm-up and a cell's first table) deadlock in class
    // initialisation. Initialising them here, in the caller's thread, first leaves no cycle.
    tech.tablesaw.api.ColumnType.DOUBLE.name();
    try {
      Thread t = new Thread(ScenarioHost::warmParent, "tcplab-warm-tables");
      t.setDaemon(true);
      t.start();
      if (choice().equals("private")) {
        PrivateHost.warmUp();
      }
    } catch (RuntimeException e) {
      // run() says it in one sentence
    }
  }

  /**
   * Loads and runs once, in this JVM, what turns a played result into tables and a ladder (never
   * shown).
   */
  private static void warmParent() {
    try {
      Scenario s = Lesson.writeAfterPeerClosed();
      int n = s.steps().size();
      List<Double> zeros = Collections.nCopies(n, 0.0);
      List<String> empty = Collections.nCopies(n, "");
      Run.Trace t =
          new Run.Trace(zeros, empty, empty, zeros, 0, List.of(), 0, 0, null, empty, empty);
      Result r = decode(s, encode(new Result(s, t, t, null)));
      r.calls();
      r.packets();
      r.ladder(false);
    } catch (RuntimeException e) {
      // only a warm-up
    }
  }

  /** Plays {@code s} where {@link #choice()} says. */
  static Result run(Scenario s, Consumer<String> onRow) {
    if (choice().equals("private")) {
      String text = PrivateHost.play(ScenarioHost.class.getName(), s.toText(), onRow, deadline(s));
      return decode(s, text);
    }
    Result r = Run.play(s, onRow);
    if (!Lab.isRoot() && r.captureNote() != null) { // say why a private host did not help
      String why =
          " (a private network namespace would allow capture, but "
              + PrivateHost.why().replaceAll("\\.$", "")
              + ")";
      return new Result(s, noted(r.cTrace(), why), noted(r.javaTrace(), why), r.cMissing());
    }
    return r;
  }

  private static Run.Trace noted(Run.Trace t, String why) {
    if (t == null || t.captureNote() == null || PrivateHost.available()) {
      return t;
    }
    return t.withCaptureNote(t.captureNote() + why);
  }

  /**
   * A bound for the whole play: both passes with every step at its deadline, plus process starts.
   */
  static Duration deadline(Scenario s) {
    long perPass =
        (long) s.steps().size() * (s.stepDeadlineMillis() + 1_500L) + 2L * s.stepDeadlineMillis();
    long starts = s.serverCrashes() ? 2L * Run.peerStartMillis() : 0;
    return Duration.ofMillis(2 * perPass + starts + 10_000);
  }

  // ---------------------------------------------------------------- in the private host

  /**
   * Called by the private host: plays the scenario in {@code payload}, emitting each row; returns
   * the traces.
   */
  static String playInChild(String payload, Consumer<String> emit) {
    Scenario s = Scenario.fromText(payload);
    try {
      return encode(Run.play(s, emit));
    } finally {
      Run.refillWarmPeers();
    }
  }

  /**
   * Loads what a scenario touches (Tablesaw, JNA, /proc readers) and plays a short one, so the
   * first play is quick.
   */
  static void warmUp() {
    CView.unavailableReason();
    Capture.unavailableReason();
    ProcNetTcp.available();
    Result r = Run.play(Lesson.writeAfterPeerClosed());
    decode(Lesson.writeAfterPeerClosed(), encode(r)).calls();
    r.packets();
    r.ladder(false);
    Result crash =
        Run.play(
            Lesson.crashWithUnreadData()); // the peer processes' path, then keep two peers ready
    decode(Lesson.crashWithUnreadData(), encode(crash)).calls();
    Run.keepPeersWarm(true);
  }

  // ---------------------------------------------------------------- the result as text

  static String encode(Result r) {
    StringBuilder b = new StringBuilder();
    b.append("cMissing\t").append(opt(r.cMissing())).append('\n');
    trace(b, "C", r.cTrace());
    trace(b, "JAVA", r.javaTrace());
    return b.toString();
  }

  private static void trace(StringBuilder b, String pass, Run.Trace t) {
    if (t == null) {
      b.append("trace\t").append(pass).append("\tnone\n");
      return;
    }
    b.append("trace\t").append(pass).append("\tsome\n");
    b.append("times").append(doubles(t.times())).append('\n');
    b.append("views").append(strings(t.views())).append('\n');
    b.append("states").append(strings(t.states())).append('\n');
    b.append("stateTimes").append(doubles(t.stateTimes())).append('\n');
    b.append("ready").append(strings(t.ready())).append('\n');
    b.append("readyEpoll").append(strings(t.readyEpoll())).append('\n');
    b.append("wall\t").append(t.wallMillis()).append('\n');
    b.append("t0\t").append(t.t0EpochSeconds()).append('\n');
    b.append("clientPort\t").append(t.clientPort()).append('\n');
    b.append("captureNote\t").append(opt(t.captureNote())).append('\n');
    for (Capture.Packet p : t.packets()) {
      b.append("packet\t").append(p.toFields()).append('\n');
    }
    b.append("end\n");
  }

  static Result decode(Scenario s, String text) {
    String cMissing = null;
    Run.Trace c = null;
    Run.Trace java = null;
    String pass = null;
    TraceParts t = null;
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "cMissing" -> cMissing = unopt(f[1]);
        case "trace" -> {
          pass = f[1];
          t = f[2].equals("some") ? new TraceParts() : null;
        }
        case "times" -> t.times = doubles(f);
        case "views" -> t.views = strings(f);
        case "states" -> t.states = strings(f);
        case "stateTimes" -> t.stateTimes = doubles(f);
        case "ready" -> t.ready = strings(f);
        case "readyEpoll" -> t.readyEpoll = strings(f);
        case "wall" -> t.wall = Double.parseDouble(f[1]);
        case "t0" -> t.t0 = Double.parseDouble(f[1]);
        case "clientPort" -> t.clientPort = Integer.parseInt(f[1]);
        case "captureNote" -> t.captureNote = unopt(f[1]);
        case "packet" -> t.packets.add(Capture.Packet.fromFields(f, 1));
        case "end" -> {
          Run.Trace done = t.trace();
          if ("C".equals(pass)) {
            c = done;
          } else {
            java = done;
          }
          t = null;
        }
        default -> {}
      }
    }
    if (java == null) {
      throw new IllegalStateException(
          "the private host returned no Java pass for \"" + s.name() + "\".");
    }
    return new Result(s, c, java, cMissing);
  }

  private static final class TraceParts {
    List<Double> times = List.of();
    List<String> views = List.of();
    List<String> states = List.of();
    List<Double> stateTimes = List.of();
    List<String> ready;
    List<String> readyEpoll;
    double wall;
    double t0;
    int clientPort;
    String captureNote;
    final List<Capture.Packet> packets = new ArrayList<>();

    Run.Trace trace() {
      return new Run.Trace(
          times,
          views,
          states,
          stateTimes,
          wall,
          List.copyOf(packets),
          t0,
          clientPort,
          captureNote,
          ready,
          readyEpoll);
    }
  }

  private static String opt(String s) {
    return s == null ? NULL : ChildJvm.esc(s);
  }

  private static String unopt(String s) {
    return s.equals(NULL) ? null : ChildJvm.unesc(s);
  }

  private static String doubles(List<Double> xs) {
    StringBuilder b = new StringBuilder();
    xs.forEach(x -> b.append('\t').append(x));
    return b.toString();
  }

  private static String strings(List<String> xs) {
    StringBuilder b = new StringBuilder();
    xs.forEach(x -> b.append('\t').append(ChildJvm.esc(x)));
    return b.toString();
  }

  private static List<Double> doubles(String[] f) {
    List<Double> xs = new ArrayList<>();
    for (int i = 1; i < f.length; i++) {
      xs.add(Double.parseDouble(f[i]));
    }
    return xs;
  }

  private static List<String> strings(String[] f) {
    List<String> xs = new ArrayList<>();
    for (int i = 1; i < f.length; i++) {
      xs.add(ChildJvm.unesc(f[i]));
    }
    return xs;
  }
}
