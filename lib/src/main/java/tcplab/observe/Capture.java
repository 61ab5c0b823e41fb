package tcplab.observe;

import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tcplab.proc.Processes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Sees the wire: a {@code tcpdump} child on the loopback interface, filtered to a scenario's ports.
 *
 * <pre>{@code
 * try (Capture cap = Capture.start("lo", serverPort)) {
 *   ... connect, write, close ...
 *   List<Capture.Packet> packets = cap.stop();
 *   Show.table(Capture.table(packets, t0, clientPort));
 * }
 * }</pre>
 *
 * <p>Readiness: {@link #start} returns once tcpdump prints "listening on" (the filter is installed,
 * every later packet is kept). {@link #stop} first sends one marker SYN to a bound, non-listening
 * port of its own and waits until tcpdump has printed it: packets on loopback are read in order,
 * so every earlier packet has been printed too. Then SIGTERM. No tcpdump outlives the JVM's
 * shutdown hook.
 */
public final class Capture implements AutoCloseable {
  private static final int READY_MILLIS = 3_000;
  private static final int STOP_MILLIS = 2_000;
  private static final int MARKER_MILLIS = 500;
  private static final Set<Capture> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile String startFailure;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      for (Capture c : LIVE) {
        c.process.destroyForcibly();
      }
    }, "tcplab-capture-cleanup"));
  }

  private final Process process;
  private final Socket marker;
  private final int markerPort;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final Thread pump;
  private final double readyMillis;
  private volatile boolean markerSeen;
  private List<Packet> packets;
  private double stopMillis;

  /** One TCP segment as tcpdump printed it. Absent numbers are -1. */
  public record Packet(double epochSeconds, String src, int srcPort, String dst, int dstPort, String flags,
      long seq, long seqEnd, long ack, int length) {

    /** The flags in words: "SYN", "SYN ACK", "ACK", "PSH ACK", "FIN ACK", "RST", "RST ACK". */
    public String flagNames() {
      List<String> names = new ArrayList<>();
      for (char f : flags.toCharArray()) {
        switch (f) {
          case 'S' -> names.add("SYN");
          case 'F' -> names.add("FIN");
          case 'R' -> names.add("RST");
          case 'P' -> names.add("PSH");
          case 'U' -> names.add("URG");
          case 'E' -> names.add("ECE");
          case 'W' -> names.add("CWR");
          default -> { }
        }
      }
      if (flags.contains(".")) {
        names.add("ACK");
      }
      return names.isEmpty() ? "none" : String.join(" ", names);
    }

    /** True for a segment with FIN or RST: the ones that end a connection. */
    public boolean closes() {
      return flags.contains("F") || flags.contains("R");
    }
  }

  private static final Pattern LINE = Pattern.compile(
      "^(\\d+\\.\\d+) IP6? (\\S+)\\.(\\d+) > (\\S+)\\.(\\d+): Flags \\[([^\\]]*)\\](.*)$");
  private static final Pattern SEQ = Pattern.compile(", seq (\\d+)(?::(\\d+))?");
  private static final Pattern ACK = Pattern.compile(", ack (\\d+)");
  private static final Pattern LENGTH = Pattern.compile(", length (\\d+)");

  /** Parses one tcpdump {@code -n -tt -S} line; empty for anything that is not a TCP segment. */
  public static Optional<Packet> parse(String line) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String rest = m.group(7);
    Matcher s = SEQ.matcher(rest);
    long seq = -1;
    long seqEnd = -1;
    if (s.find()) {
      seq = Long.parseLong(s.group(1));
      seqEnd = s.group(2) != null ? Long.parseLong(s.group(2)) : seq;
    }
    Matcher a = ACK.matcher(rest);
    Matcher l = LENGTH.matcher(rest);
    return Optional.of(new Packet(Double.parseDouble(m.group(1)), m.group(2), Integer.parseInt(m.group(3)),
        m.group(4), Integer.parseInt(m.group(5)), m.group(6), seq, seqEnd,
        a.find() ? Long.parseLong(a.group(1)) : -1, l.find() ? Integer.parseInt(l.group(1)) : 0));
  }

  /**
   * Why packets cannot be captured here, in one sentence; empty when they can. A cheap probe (the
   * binary and CAP_NET_RAW), plus the first error line of a start that failed in this JVM.
   */
  public static Optional<String> unavailableReason() {
    if (startFailure != null) {
      return Optional.of("no packet capture here: tcpdump failed to start: " + startFailure);
    }
    if (tcpdump() == null) {
      return Optional.of("no packet capture here: tcpdump is not installed (apt-get install tcpdump)");
    }
    if (!hasNetRaw()) {
      return Optional.of("no packet capture here: tcpdump needs root or CAP_NET_RAW");
    }
    return Optional.empty();
  }

  private static String tcpdump() {
    return Processes.onPath("tcpdump").orElse(null);
  }

  private static boolean hasNetRaw() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          long caps = Long.parseUnsignedLong(line.substring(7).strip(), 16);
          return (caps & (1L << 13)) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: let start() try and report
    }
    return true;
  }

  /**
   * Starts tcpdump on {@code iface} ("lo") for TCP segments to or from any of {@code ports}, and
   * returns once it is listening (at most 3 s).
   *
   * @throws IllegalStateException when capture is unavailable or tcpdump does not become ready
   */
  public static Capture start(String iface, int... ports) {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException(why.get());
    }
    if (iface == null || !iface.matches("[A-Za-z0-9_.:-]{1,15}")) {
      throw new IllegalArgumentException("iface must be an interface name such as \"lo\", not " + iface);
    }
    for (int p : ports) {
      if (p < 1 || p > 65535) { // an internal check: Check.range is for notebook parameters
        throw new IllegalArgumentException("port must be between 1 and 65535; got " + p + ".");
      }
    }
    try {
      return new Capture(iface, ports, true);
    } catch (IOException e) {
      throw new IllegalStateException("no packet capture here: tcpdump could not be started: " + e.getMessage(), e);
    }
  }

  /**
   * Like {@link #start} for an interface other than lo, e.g. a veth inside a network namespace: call it from a
   * thread inside that namespace (tcpdump inherits it). The loopback marker cannot be seen there, so
   * {@link #stop} waits a fixed 200 ms for tcpdump (--immediate-mode, line-buffered) to print what it has.
   */
  public static Capture startOn(String iface, int... ports) {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException(why.get());
    }
    if (iface == null || !iface.matches("[A-Za-z0-9_.:-]{1,15}")) {
      throw new IllegalArgumentException("iface must be an interface name such as \"lo\", not " + iface);
    }
    try {
      return new Capture(iface, ports, false);
    } catch (IOException e) {
      throw new IllegalStateException("no packet capture here: tcpdump could not be started: " + e.getMessage(), e);
    }
  }

  private final boolean useMarker;

  /** The longest a capture may run (s); a tcpdump outliving its JVM ends by then at the latest. */
  static final int MAX_SECONDS = 300;

  /** Ends captures left by a JVM that was killed: a tcpdump (or its `timeout`) of ours whose JVM is gone. */
  static void reapOrphans() {
    ProcessHandle.allProcesses().filter(Capture::ours).filter(p -> !ownedByAJvm(p)).forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean ours(ProcessHandle p) {
    return p.info().command().map(c -> c.endsWith("/tcpdump") || c.endsWith("/timeout")).orElse(false)
        && p.info().arguments().map(a -> List.of(a).contains("--immediate-mode")
            && String.join(" ", a).contains("tcp and (port ")).orElse(false);
  }

  private static boolean ownedByAJvm(ProcessHandle p) {
    Optional<ProcessHandle> parent = p.parent();
    if (parent.isEmpty()) {
      return false;
    }
    if (parent.get().info().command().map(c -> c.endsWith("/java")).orElse(false)) {
      return true;
    }
    return ours(parent.get()) && ownedByAJvm(parent.get()); // tcpdump under our `timeout`
  }

  private Capture(String iface, int[] ports, boolean useMarker) throws IOException {
    this.useMarker = useMarker;
    marker = new Socket();
    marker.bind(new InetSocketAddress("127.0.0.1", 0)); // bound, never listening: a SYN to it gets RST
    markerPort = marker.getLocalPort();
    StringBuilder filter = new StringBuilder("tcp and (port ").append(markerPort);
    for (int p : ports) {
      filter.append(" or port ").append(p);
    }
    filter.append(')');
    List<String> cmd = new ArrayList<>();
    // A JVM killed with SIGKILL cannot stop its tcpdump: `timeout` bounds an orphan's life, and the next
    // capture on this machine ends orphans whose JVM is gone (reapOrphans).
    Processes.onPath("timeout").ifPresent(t -> cmd.addAll(List.of(t, "-s", "TERM", String.valueOf(MAX_SECONDS))));
    cmd.addAll(List.of(tcpdump(), "-i", iface, "-n", "-l", "-tt", "-S", "--immediate-mode", "-U", filter.toString()));
    reapOrphans();
    long t = System.nanoTime();
    process = new ProcessBuilder(cmd).start();
    LIVE.add(this);
    process.getOutputStream().close();
    CountDownLatch ready = new CountDownLatch(1);
    String markerDst = "." + markerPort + ": ";
    String markerSrc = "." + markerPort + " > ";
    pump = daemon("tcplab-capture-out", () -> {
      try (BufferedReader r = reader(process.getInputStream())) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.contains(markerDst)) {
            markerSeen = true;
          } else if (!line.contains(markerSrc)) {
            lines.add(line);
          }
        }
      } catch (IOException e) {
        // stream closed: the process ended
      }
    });
    daemon("tcplab-capture-err", () -> {
      try (BufferedReader r = reader(process.getErrorStream())) {
        for (String line; (line = r.readLine()) != null; ) {
          errors.add(line);
          if (line.startsWith("listening on")) {
            ready.countDown();
          }
        }
      } catch (IOException e) {
        // stream closed
      }
      ready.countDown();
    });
    boolean ok;
    try {
      ok = ready.await(READY_MILLIS, TimeUnit.MILLISECONDS) && process.isAlive() && listening();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ok = false;
    }
    readyMillis = (System.nanoTime() - t) / 1e6;
    if (!ok) {
      kill();
      String first = errors.stream().filter(l -> !l.startsWith("tcpdump: verbose") && !l.isBlank())
          .findFirst().orElse("no \"listening on\" within " + READY_MILLIS + " ms");
      if (first.matches("(?i).*(permi|denied|socket:).*")) { // a privilege problem holds for every later start
        startFailure = first;
      }
      throw new IllegalStateException("no packet capture here: tcpdump did not start: " + first);
    }
  }

  private boolean listening() {
    synchronized (errors) {
      return errors.stream().anyMatch(l -> l.startsWith("listening on"));
    }
  }

  private static BufferedReader reader(java.io.InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Milliseconds from starting tcpdump to "listening on". */
  public double readyMillis() {
    return readyMillis;
  }

  /** Milliseconds {@link #stop} took (marker, SIGTERM, exit, drain); 0 before stop. */
  public double stopMillis() {
    return stopMillis;
  }

  /** True until {@link #stop}. */
  public boolean running() {
    return packets == null;
  }

  /** The lines tcpdump wrote to stderr (its banner and, after stop, its statistics). */
  public List<String> stderr() {
    synchronized (errors) {
      return List.copyOf(errors);
    }
  }

  /**
   * Waits until every packet already on the wire has been printed, stops tcpdump (SIGTERM, then
   * SIGKILL after 2 s) and returns the packets in order. Calling it again returns the same list.
   */
  public synchronized List<Packet> stop() {
    if (packets != null) {
      return packets;
    }
    long t = System.nanoTime();
    flushWithMarker();
    kill();
    try {
      pump.join(500); // the pipe ends when tcpdump exits; it has flushed every line by then
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Packet> out = new ArrayList<>();
    synchronized (lines) {
      for (String line : lines) {
        parse(line).ifPresent(out::add);
      }
    }
    packets = List.copyOf(out);
    stopMillis = (System.nanoTime() - t) / 1e6;
    return packets;
  }

  private void flushWithMarker() {
    if (!useMarker) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try (Socket probe = new Socket()) {
      probe.connect(new InetSocketAddress("127.0.0.1", markerPort), MARKER_MILLIS);
    } catch (IOException expected) {
      // connection refused: the SYN and its RST are on the wire
    }
    long end = System.nanoTime() + MARKER_MILLIS * 1_000_000L;
    while (!markerSeen && System.nanoTime() < end && process.isAlive()) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void kill() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_MILLIS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      LIVE.remove(this);
      try {
        marker.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
  }

  /** Stops tcpdump if it still runs. */
  @Override
  public void close() {
    stop();
  }

  /**
   * The packets as a table: "t (ms)" from {@code t0EpochSeconds}, "from" and "to" (client or server,
   * by {@code clientPort}), "flags", "seq" and "ack" relative to each side's first sequence number
   * (its SYN), as tcpdump prints without -S, and "length".
   */
  public static Table table(List<Packet> packets, double t0EpochSeconds, int clientPort) {
    DoubleColumn t = DoubleColumn.create("t (ms)");
    StringColumn from = StringColumn.create("from");
    StringColumn to = StringColumn.create("to");
    StringColumn flags = StringColumn.create("flags");
    StringColumn seq = StringColumn.create("seq");
    StringColumn ack = StringColumn.create("ack");
    IntColumn length = IntColumn.create("length");
    Map<Side, Long> isn = isns(packets, clientPort);
    for (Packet p : packets) {
      Side s = side(p, clientPort);
      Side other = s == Side.CLIENT ? Side.SERVER : Side.CLIENT;
      t.append(Math.round((p.epochSeconds() - t0EpochSeconds) * 1e5) / 100.0);
      from.append(s.toString());
      to.append(other.toString());
      flags.append(p.flagNames());
      if (p.seq() < 0) {
        seq.append("");
      } else {
        long a = relative(p.seq(), isn.get(s));
        long b = relative(p.seqEnd(), isn.get(s));
        seq.append(p.seqEnd() != p.seq() ? a + ":" + b : String.valueOf(a));
      }
      ack.append(p.ack() < 0 || !p.flags().contains(".") ? "" : String.valueOf(relative(p.ack(), isn.get(other))));
      length.append(p.length());
    }
    return Table.create("packets on the wire", t, from, to, flags, seq, ack, length);
  }

  /** The packets as ladder arrows, times in ms from {@code t0EpochSeconds}; FIN and RST highlighted. */
  public static List<Ladder.Arrow> arrows(List<Packet> packets, double t0EpochSeconds, int clientPort) {
    List<Ladder.Arrow> arrows = new ArrayList<>();
    for (Packet p : packets) {
      String label = p.flagNames() + (p.length() > 0 ? " len " + p.length() : "");
      arrows.add(new Ladder.Arrow((p.epochSeconds() - t0EpochSeconds) * 1000, side(p, clientPort), label, p.closes()));
    }
    return arrows;
  }

  private static Side side(Packet p, int clientPort) {
    return p.srcPort() == clientPort ? Side.CLIENT : Side.SERVER;
  }

  private static Map<Side, Long> isns(List<Packet> packets, int clientPort) {
    Map<Side, Long> isn = new HashMap<>();
    for (Packet p : packets) {
      if (p.flags().contains("S") && p.seq() >= 0) {
        isn.putIfAbsent(side(p, clientPort), p.seq());
      }
    }
    for (Packet p : packets) { // no SYN captured: count from the first byte seen, minus one
      if (p.seq() >= 0) {
        isn.putIfAbsent(side(p, clientPort), p.seq() - 1);
      }
    }
    return isn;
  }

  private static long relative(long n, Long isn) {
    return isn == null ? n : Math.floorMod(n - isn, 1L << 32);
  }
}
