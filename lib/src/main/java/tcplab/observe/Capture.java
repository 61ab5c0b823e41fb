package tcplab.observe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import tcplab.draw.Ladder;
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
  private static volatile String startFailure;

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

  private final TcpdumpCapture external; // null with the packet socket
  private final SocketCapture socket; // null with an external tool
  private final Backend used;
  private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
  private final double readyMillis;
  private List<Packet> packets;
  private double stopMillis;

  /**
   * One TCP segment as tcpdump printed it. Absent numbers are -1. {@code window} is the header's
   * window field as sent (tcpdump's "win"; multiply by 2^wscale of the sender, announced in its
   * SYN, for bytes; 0 is a zero window either way); {@code wscale} is the SYN's window-scale
   * option, -1 without one.
   */
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
      int length,
      int window,
      int wscale) {

    /**
     * This packet as tab-separated fields (addresses and flags hold no tab), for a child process's
     * answer; {@link #fromFields} reads them back.
     */
    public String toFields() {
      return epochSeconds
          + "\t"
          + src
          + "\t"
          + srcPort
          + "\t"
          + dst
          + "\t"
          + dstPort
          + "\t"
          + flags
          + "\t"
          + seq
          + "\t"
          + seqEnd
          + "\t"
          + ack
          + "\t"
          + length
          + "\t"
          + window
          + "\t"
          + wscale;
    }

    /** The packet {@link #toFields} wrote, from {@code f[from]} on. */
    public static Packet fromFields(String[] f, int from) {
      int i = from;
      return new Packet(
          Double.parseDouble(f[i]),
          f[i + 1],
          Integer.parseInt(f[i + 2]),
          f[i + 3],
          Integer.parseInt(f[i + 4]),
          f[i + 5],
          Long.parseLong(f[i + 6]),
          Long.parseLong(f[i + 7]),
          Long.parseLong(f[i + 8]),
          Integer.parseInt(f[i + 9]),
          Integer.parseInt(f[i + 10]),
          Integer.parseInt(f[i + 11]));
    }

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

  /** Parses one tcpdump {@code -n -tt -S} line; empty for anything that is not a TCP segment. */
  public static Optional<Packet> parse(String line) {
    return TcpdumpLine.parse(line);
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
    if (mode.equals("tool")
        && TcpdumpCapture.tcpdump() == null
        && !Files.exists(Path.of(toolPath()))) {
      return Optional.of(
          "no packet capture here: tcpdump is not installed (apt-get install tcpdump)");
    }
    String why =
        mode.equals("tool")
            ? "tcpdump needs root or CAP_NET_RAW"
            : SocketCapture.unavailableReason()
                .orElse("packet sockets are turned off (tcplab.capture=" + mode + ")");
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
    if (!mode.equals("tool") && SocketCapture.unavailableReason().isEmpty()) {
      return Backend.PACKET_SOCKET;
    }
    if (mode.equals("socket") || startFailure != null) {
      return Backend.NONE;
    }
    if (TcpdumpCapture.tcpdump() != null && TcpdumpCapture.hasNetRaw()) {
      return Backend.TCPDUMP;
    }
    if (TcpdumpCapture.labTool() != null) {
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
              + (ProcSelf.inUserNamespace() ? "root of a user namespace" : "root")
              + ")";
      case LAB_TOOL ->
          "packets: yes, by the lab's capture tool " + toolPath() + " (group " + GROUP + ")";
      case TCPDUMP -> "packets: yes, by tcpdump (this process holds CAP_NET_RAW)";
      case NONE ->
          "packets: no, "
              + unavailableReason().orElse("no").replaceFirst("^no packet capture here: ", "");
    };
  }

  private static String mode() {
    String m =
        System.getProperty("tcplab.capture", "auto").strip().toLowerCase(java.util.Locale.ROOT);
    return m.equals("socket") || m.equals("tool") || m.equals("off") ? m : "auto";
  }

  /** {@value #TOOL}, or the system property tcplab.captureTool (tests install a copy elsewhere). */
  static String toolPath() {
    return System.getProperty("tcplab.captureTool", TOOL);
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

  /** A privilege problem that stopped tcpdump: it holds for every later start in this JVM. */
  static void startFailed(String firstErrorLine) {
    startFailure = firstErrorLine;
  }

  private Capture(Backend backend, String iface, int[] ports, boolean useMarker)
      throws IOException {
    this.used = backend;
    Socket marker = new Socket();
    marker.bind(
        new InetSocketAddress("127.0.0.1", 0)); // bound, never listening: a SYN to it gets RST
    if (backend == Backend.PACKET_SOCKET) {
      socket = new SocketCapture(iface, ports, marker, useMarker, errors);
      external = null;
      readyMillis = socket.readyMillis();
      return;
    }
    if (backend == Backend.NONE) {
      marker.close();
      throw new IllegalStateException(unavailableReason().orElse("no packet capture here"));
    }
    socket = null;
    String tool = backend == Backend.LAB_TOOL ? toolPath() : TcpdumpCapture.tcpdump();
    external = new TcpdumpCapture(tool, iface, ports, marker, useMarker, errors);
    readyMillis = external.readyMillis();
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
    packets = socket != null ? socket.stop() : external.stop();
    stopMillis = (System.nanoTime() - t) / 1e6;
    return packets;
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
    return PacketTable.table(packets, t0EpochSeconds, clientPort);
  }

  /**
   * The packets as ladder arrows, times in ms from {@code t0EpochSeconds}; FIN and RST highlighted.
   */
  public static List<Ladder.Arrow> arrows(
      List<Packet> packets, double t0EpochSeconds, int clientPort) {
    return PacketTable.arrows(packets, t0EpochSeconds, clientPort);
  }
}
