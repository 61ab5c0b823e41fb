package tcplab.observe;

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
import tcplab.draw.Ladder;
import tcplab.engine.Side;
import tcplab.proc.Processes;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Sees the wire: the segments of a scenario's ports on the loopback interface (or a veth), by one
 * of three backends, chosen by {@link #backend()}:
 *
 * <ol>
 *   <li>{@link Backend#PACKET_SOCKET}: in this JVM, an AF_PACKET socket ({@link PacketSocket}),
 *       where this process may open one: root, or root of a user namespace that owns its network
 *       namespace ({@code unshare -rn}). No child process, ready at once.
 *   <li>{@link Backend#LAB_TOOL}: the lab's capture tool {@value #TOOL}, a copy of tcpdump with the
 *       file capabilities cap_net_raw,cap_net_admin, executable by group tcplab, installed once by
 *       an administrator with {@value #ENABLE}.
 *   <li>{@link Backend#TCPDUMP}: tcpdump itself, where this process holds CAP_NET_RAW (root without
 *       JNA).
 * </ol>
 *
 * Elsewhere there is no capture, and {@link #unavailableReason()} says why and how to enable it.
 * The system property {@code tcplab.capture} ({@code auto}, {@code socket}, {@code tool}: external
 * tools only, {@code off}) narrows the choice, for tests and comparisons.
 *
 * <pre>{@code
 * try (Capture cap = Capture.start("lo", serverPort)) {
 *   ... connect, write, close ...
 *   List<Capture.Packet> packets = cap.stop();
 *   Show.table(Capture.table(packets, t0, clientPort));
 * }
 * }</pre>
 *
 * <p>Readiness: {@link #start} returns once the filter is installed (the packet socket is bound, or
 * tcpdump prints "listening on"): every later packet is kept. {@link #stop} first sends one marker
 * SYN to a bound, non-listening port of its own and waits until the capture has seen it: packets on
 * loopback are read in order, so every earlier packet has been seen too. Then the reader drains the
 * ring (or tcpdump gets SIGTERM). No tcpdump outlives the JVM's shutdown hook.
 */
public final class Capture implements AutoCloseable {
  private static final int READY_MILLIS = 3_000;
  private static final int STOP_MILLIS = 2_000;
  private static final int MARKER_MILLIS = 500;
  private static final Set<Capture> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile String startFailure;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (Capture c : LIVE) {
                    if (c.process != null) {
                      c.process.destroyForcibly();
                    }
                  }
                },
                "tcplab-capture-cleanup"));
  }

  /**
   * Where {@value #ENABLE} installs the lab's capture tool (tools/setup/capture-for-students.sh).
   */
  public static final String TOOL = "/usr/local/lib/tcplab/tcplab-capture";

  /** The one-time administrator step that turns packets on for every member of group tcplab. */
  public static final String ENABLE = "sudo make capture-for-students";

  /** The group whose members may run {@value #TOOL}. */
  public static final String GROUP = "tcplab";

  /** How this JVM captures packets. */
  public enum Backend {
    /** An AF_PACKET socket in this JVM (root, or root of a user namespace). */
    PACKET_SOCKET,
    /** The lab's capture tool with file capabilities ({@value Capture#TOOL}). */
    LAB_TOOL,
    /** tcpdump, run by a process with CAP_NET_RAW. */
    TCPDUMP,
    /** No capture: {@link Capture#unavailableReason()} says why. */
    NONE
  }

  private final Process process; // null with the packet socket
  private final PacketSocket socket; // null with an external tool
  private final Backend used;
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
  public record Packet(
      double epochSeconds,
      String src,
      int srcPort,
      String dst,
      int dstPort,
      String flags,
      long seq,
      long seqEnd,
      long ack,
      int length) {

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
          default -> {}
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

  private static final Pattern LINE =
      Pattern.compile(
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
    return Optional.of(
        new Packet(
            Double.parseDouble(m.group(1)),
            m.group(2),
            Integer.parseInt(m.group(3)),
            m.group(4),
            Integer.parseInt(m.group(5)),
            m.group(6),
            seq,
            seqEnd,
            a.find() ? Long.parseLong(a.group(1)) : -1,
            l.find() ? Integer.parseInt(l.group(1)) : 0));
  }

  /**
   * Why packets cannot be captured here, in one sentence; empty when they can. A cheap probe (the
   * binary and CAP_NET_RAW), plus the first error line of a start that failed in this JVM.
   */
  public static Optional<String> unavailableReason() {
    Backend b = backend();
    if (b != Backend.NONE) {
      return Optional.empty();
    }
    String mode = mode();
    if (mode.equals("off")) {
      return Optional.of("no packet capture here: turned off (tcplab.capture=off)");
    }
    if (startFailure != null) {
      return Optional.of(
          "no packet capture here: the capture tool failed to start: "
              + startFailure
              + "; "
              + howToEnable());
    }
    if (mode.equals("tool") && tcpdump() == null && !Files.exists(Path.of(toolPath()))) {
      return Optional.of(
          "no packet capture here: tcpdump is not installed (apt-get install tcpdump)");
    }
    String why =
        mode.equals("tool")
            ? "tcpdump needs root or CAP_NET_RAW"
            : socketReason().orElse("packet sockets are turned off (tcplab.capture=" + mode + ")");
    return Optional.of("no packet capture here: " + why + "; " + howToEnable());
  }

  /**
   * The exact step that turns packets on here, in one clause: joining group tcplab when the lab's
   * tool is installed, else the administrator's one-time {@value #ENABLE}.
   */
  public static String howToEnable() {
    Path tool = Path.of(toolPath());
    if (Files.exists(tool) && !Files.isExecutable(tool)) {
      return "the lab's capture tool is installed but this user is not in group "
          + GROUP
          + " yet: an administrator "
          + "runs `sudo usermod -aG "
          + GROUP
          + " "
          + System.getProperty("user.name")
          + "`, then log in again";
    }
    if (Files.exists(tool)) {
      return "the lab's capture tool "
          + toolPath()
          + " did not work: an administrator runs `"
          + ENABLE
          + "` again";
    }
    return "to turn them on, an administrator runs `"
        + ENABLE
        + "` once (students then log in again)";
  }

  /**
   * Which backend {@link #start} uses in this thread's network namespace: the packet socket where
   * allowed, else the lab's capture tool, else tcpdump with CAP_NET_RAW, else none.
   */
  public static Backend backend() {
    String mode = mode();
    if (mode.equals("off")) {
      return Backend.NONE;
    }
    if (!mode.equals("tool") && socketReason().isEmpty()) {
      return Backend.PACKET_SOCKET;
    }
    if (mode.equals("socket") || startFailure != null) {
      return Backend.NONE;
    }
    if (tcpdump() != null && hasNetRaw()) {
      return Backend.TCPDUMP;
    }
    if (labTool() != null) {
      return Backend.LAB_TOOL;
    }
    return Backend.NONE;
  }

  /**
   * One line for a notebook: which capture case applies here, and where packets are off, why and
   * the exact command that turns them on.
   */
  public static String status() {
    return switch (backend()) {
      case PACKET_SOCKET ->
          "packets: yes, captured in this JVM (packet socket, "
              + (inUserNamespace() ? "root of a user namespace" : "root")
              + ")";
      case LAB_TOOL ->
          "packets: yes, by the lab's capture tool " + toolPath() + " (group " + GROUP + ")";
      case TCPDUMP -> "packets: yes, by tcpdump (this process holds CAP_NET_RAW)";
      case NONE ->
          "packets: no, "
              + unavailableReason().orElse("no").replaceFirst("^no packet capture here: ", "");
    };
  }

  /**
   * Why this process may not open a packet socket, or empty; a missing JNA jar is a reason, never
   * an error.
   */
  private static Optional<String> socketReason() {
    try {
      return PacketSocket.unavailableReason();
    } catch (
        LinkageError e) { // PacketSocket itself could not be linked: JNA is not on the class path
      return Optional.of("JNA could not load libc (" + e + ")");
    }
  }

  private static String mode() {
    String m =
        System.getProperty("tcplab.capture", "auto").strip().toLowerCase(java.util.Locale.ROOT);
    return m.equals("socket") || m.equals("tool") || m.equals("off") ? m : "auto";
  }

  /**
   * True when this process runs in a user namespace other than the initial one (uid_map is not the
   * identity).
   */
  static boolean inUserNamespace() {
    try {
      String map = Files.readString(Path.of("/proc/self/uid_map")).strip();
      return !map.matches("0\\s+0\\s+4294967295");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static String tcpdump() {
    return Processes.onPath("tcpdump").orElse(null);
  }

  /** {@value #TOOL}, or the system property tcplab.captureTool (tests install a copy elsewhere). */
  static String toolPath() {
    return System.getProperty("tcplab.captureTool", TOOL);
  }

  /** The lab's capture tool when installed and executable by this user. */
  private static String labTool() {
    Path tool = Path.of(toolPath());
    return Files.isRegularFile(tool) && Files.isExecutable(tool) ? toolPath() : null;
  }

  private static boolean hasNetRaw() {
    return ProcSelf.hasCapabilities(ProcSelf.CAP_NET_RAW)
        .orElse(true); // not Linux: let start() try and report
  }

  /**
   * Starts capturing on {@code iface} ("lo") TCP segments to or from any of {@code ports}, with the
   * backend {@link #backend()} names, and returns once the filter is installed (at once for the
   * packet socket, at most 3 s for tcpdump).
   *
   * @throws IllegalStateException when capture is unavailable or tcpdump does not become ready
   */
  public static Capture start(String iface, int... ports) {
    return start(backend(), iface, ports);
  }

  /** {@link #start} with a chosen backend (tests compare the packet socket with tcpdump). */
  static Capture start(Backend backend, String iface, int... ports) {
    Optional<String> why = unavailableReason();
    if (why.isPresent() && backend == backend()) {
      throw new IllegalStateException(why.get());
    }
    if (iface == null || !iface.matches("[A-Za-z0-9_.:-]{1,15}")) {
      throw new IllegalArgumentException(
          "iface must be an interface name such as \"lo\", not " + iface);
    }
    if (ports.length == 0 || ports.length >= PacketSocket.MAX_PORTS) {
      throw new IllegalArgumentException(
          "ports must name 1 to " + (PacketSocket.MAX_PORTS - 1) + " ports, not " + ports.length);
    }
    for (int p : ports) {
      if (p < 1 || p > 65535) { // an internal check: Check.range is for notebook parameters
        throw new IllegalArgumentException("port must be between 1 and 65535; got " + p + ".");
      }
    }
    try {
      return new Capture(backend, iface, ports, true);
    } catch (IOException e) {
      throw new IllegalStateException(
          "no packet capture here: tcpdump could not be started: " + e.getMessage(), e);
    }
  }

  /**
   * Like {@link #start} for an interface other than lo, e.g. a veth inside a network namespace:
   * call it from a thread inside that namespace (the packet socket is opened there; tcpdump
   * inherits it). The loopback marker cannot be seen there, so {@link #stop} waits until the packet
   * socket has been quiet for 20 ms, or a fixed 200 ms for tcpdump (--immediate-mode,
   * line-buffered) to print what it has.
   */
  public static Capture startOn(String iface, int... ports) {
    Optional<String> why = unavailableReason();
    if (why.isPresent()) {
      throw new IllegalStateException(why.get());
    }
    if (iface == null || !iface.matches("[A-Za-z0-9_.:-]{1,15}")) {
      throw new IllegalArgumentException(
          "iface must be an interface name such as \"lo\", not " + iface);
    }
    try {
      return new Capture(backend(), iface, ports, false);
    } catch (IOException e) {
      throw new IllegalStateException(
          "no packet capture here: tcpdump could not be started: " + e.getMessage(), e);
    }
  }

  private final boolean useMarker;

  /** The longest a capture may run (s); a tcpdump outliving its JVM ends by then at the latest. */
  static final int MAX_SECONDS = 300;

  /**
   * Ends captures left by a JVM that was killed: a tcpdump (or its `timeout`) of ours whose JVM is
   * gone.
   */
  static void reapOrphans() {
    ProcessHandle.allProcesses()
        .filter(Capture::ours)
        .filter(p -> !ownedByAJvm(p))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private static boolean ours(ProcessHandle p) {
    return p.info()
            .command()
            .map(
                c ->
                    c.endsWith("/tcpdump")
                        || c.endsWith("/tcplab-capture")
                        || c.endsWith("/timeout"))
            .orElse(false)
        && p.info()
            .arguments()
            .map(
                a ->
                    List.of(a).contains("--immediate-mode")
                        && String.join(" ", a).contains("tcp and (port "))
            .orElse(false);
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

  private Capture(Backend backend, String iface, int[] ports, boolean useMarker)
      throws IOException {
    this.useMarker = useMarker;
    this.used = backend;
    marker = new Socket();
    marker.bind(
        new InetSocketAddress("127.0.0.1", 0)); // bound, never listening: a SYN to it gets RST
    markerPort = marker.getLocalPort();
    if (backend == Backend.PACKET_SOCKET) {
      long t = System.nanoTime();
      try {
        socket = PacketSocket.open(iface, useMarker ? markerPort : 0, ports);
      } catch (RuntimeException e) {
        marker.close();
        throw new IllegalStateException("no packet capture here: " + e.getMessage(), e);
      }
      process = null;
      pump = null;
      readyMillis = (System.nanoTime() - t) / 1e6;
      errors.add("listening on " + iface + ", packet socket in this JVM"); // as tcpdump says it
      return;
    }
    if (backend == Backend.NONE) {
      marker.close();
      throw new IllegalStateException(unavailableReason().orElse("no packet capture here"));
    }
    socket = null;
    String tool = backend == Backend.LAB_TOOL ? toolPath() : tcpdump();
    StringBuilder filter = new StringBuilder("tcp and (port ").append(markerPort);
    for (int p : ports) {
      filter.append(" or port ").append(p);
    }
    filter.append(')');
    List<String> cmd = new ArrayList<>();
    // A JVM killed with SIGKILL cannot stop its tcpdump: `timeout` bounds an orphan's life, and the
    // next
    // capture on this machine ends orphans whose JVM is gone (reapOrphans).
    Processes.onPath("timeout")
        .ifPresent(t -> cmd.addAll(List.of(t, "-s", "TERM", String.valueOf(MAX_SECONDS))));
    cmd.addAll(
        List.of(
            tool,
            "-i",
            iface,
            "-n",
            "-l",
            "-tt",
            "-S",
            "--immediate-mode",
            "-U",
            filter.toString()));
    reapOrphans();
    long t = System.nanoTime();
    process = new ProcessBuilder(cmd).start();
    LIVE.add(this);
    process.getOutputStream().close();
    CountDownLatch ready = new CountDownLatch(1);
    String markerDst = "." + markerPort + ": ";
    String markerSrc = "." + markerPort + " > ";
    pump =
        daemon(
            "tcplab-capture-out",
            () -> {
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
    daemon(
        "tcplab-capture-err",
        () -> {
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
      String first =
          errors.stream()
              .filter(l -> !l.startsWith("tcpdump: verbose") && !l.isBlank())
              .findFirst()
              .orElse("no \"listening on\" within " + READY_MILLIS + " ms");
      if (first.matches(
          "(?i).*(permi|denied|socket:).*")) { // a privilege problem holds for every later start
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

  /** The backend this capture uses. */
  public Backend backendUsed() {
    return used;
  }

  /**
   * Milliseconds from starting tcpdump to "listening on" (from socket() to bind() for the packet
   * socket).
   */
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
    if (socket != null) {
      drainSocket();
      packets = socket.stop();
      errors.add(socket.statistics());
      try {
        marker.close();
      } catch (IOException e) {
        // nothing to do
      }
      stopMillis = (System.nanoTime() - t) / 1e6;
      return packets;
    }
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

  /**
   * Packet socket: on lo, one marker SYN (and its RST) and a wait until the reader has taken it
   * from the ring, so every earlier segment is in; elsewhere, a wait until the ring has been quiet
   * for 20 ms (at most 500 ms).
   */
  private void drainSocket() {
    long end = System.nanoTime() + MARKER_MILLIS * 1_000_000L;
    if (useMarker) {
      try (Socket probe = new Socket()) {
        probe.connect(new InetSocketAddress("127.0.0.1", markerPort), MARKER_MILLIS);
      } catch (IOException expected) {
        // connection refused: the SYN and its RST are on the wire
      }
    }
    while (System.nanoTime() < end) {
      if (useMarker
          ? socket.ignoredSeen()
          : System.nanoTime() - socket.lastFrameNanos() > 20_000_000L) {
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
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
   * The packets as a table: "t (ms)" from {@code t0EpochSeconds}, "from" and "to" (client or
   * server, by {@code clientPort}), "flags", "seq" and "ack" relative to each side's first sequence
   * number (its SYN), as tcpdump prints without -S, and "length".
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
      ack.append(
          p.ack() < 0 || !p.flags().contains(".")
              ? ""
              : String.valueOf(relative(p.ack(), isn.get(other))));
      length.append(p.length());
    }
    return Table.create("packets on the wire", t, from, to, flags, seq, ack, length);
  }

  /**
   * The packets as ladder arrows, times in ms from {@code t0EpochSeconds}; FIN and RST highlighted.
   */
  public static List<Ladder.Arrow> arrows(
      List<Packet> packets, double t0EpochSeconds, int clientPort) {
    List<Ladder.Arrow> arrows = new ArrayList<>();
    for (Packet p : packets) {
      String label = p.flagNames() + (p.length() > 0 ? " len " + p.length() : "");
      arrows.add(
          new Ladder.Arrow(
              (p.epochSeconds() - t0EpochSeconds) * 1000, side(p, clientPort), label, p.closes()));
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
