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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import tcplab.proc.Daemons;
import tcplab.proc.Processes;

/**
 * The external backends of {@link Capture}: tcpdump, or the lab's capture tool (a copy of it), as a
 * child process printing one line per segment ({@code -n -l -tt -S --immediate-mode -U}), read by a
 * pump thread. Ready once tcpdump prints "listening on"; stopped after the marker SYN has been
 * printed, with SIGTERM, then SIGKILL after 2 s. No tcpdump outlives the JVM's shutdown hook, and
 * `timeout` bounds the life of one whose JVM was killed.
 */
final class TcpdumpCapture {
  private static final int READY_MILLIS = 3_000;
  private static final int STOP_MILLIS = 2_000;
  private static final int MARKER_MILLIS = 500;
  private static final Set<TcpdumpCapture> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  for (TcpdumpCapture c : LIVE) {
                    c.process.destroyForcibly();
                  }
                },
                "tcplab-capture-cleanup"));
  }

  /** The longest a capture may run (s); a tcpdump outliving its JVM ends by then at the latest. */
  static final int MAX_SECONDS = 300;

  private final Process process;
  private final Socket marker;
  private final int markerPort;
  private final boolean useMarker;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  private final List<String> errors;
  private final Thread pump;
  private final double readyMillis;
  private volatile boolean markerSeen;

  /**
   * Starts {@code tool} on {@code iface} for TCP segments to or from the marker's port or any of
   * {@code ports}, and waits until it is listening; its stderr lines go to {@code errors}. The
   * marker socket is closed when tcpdump stops (or fails to start).
   *
   * @throws IllegalStateException when tcpdump does not become ready within 3 s
   */
  TcpdumpCapture(
      String tool, String iface, int[] ports, Socket marker, boolean useMarker, List<String> errors)
      throws IOException {
    this.marker = marker;
    this.markerPort = marker.getLocalPort();
    this.useMarker = useMarker;
    this.errors = errors;
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
        Daemons.start(
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
    Daemons.start(
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
        Capture.startFailed(first);
      }
      throw new IllegalStateException("no packet capture here: tcpdump did not start: " + first);
    }
  }

  /** Milliseconds from starting tcpdump to "listening on". */
  double readyMillis() {
    return readyMillis;
  }

  /**
   * Ends captures left by a JVM that was killed: a tcpdump (or its `timeout`) of ours whose JVM is
   * gone.
   */
  static void reapOrphans() {
    ProcessHandle.allProcesses()
        .filter(TcpdumpCapture::ours)
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

  /** tcpdump on the PATH, or null. */
  static String tcpdump() {
    return Processes.onPath("tcpdump").orElse(null);
  }

  /** The lab's capture tool when installed and executable by this user. */
  static String labTool() {
    Path tool = Path.of(Capture.toolPath());
    return Files.isRegularFile(tool) && Files.isExecutable(tool) ? Capture.toolPath() : null;
  }

  /** True when this process may run tcpdump itself (it holds CAP_NET_RAW). */
  static boolean hasNetRaw() {
    return ProcSelf.hasCapabilities(ProcSelf.CAP_NET_RAW)
        .orElse(true); // not Linux: let start() try and report
  }

  private boolean listening() {
    synchronized (errors) {
      return errors.stream().anyMatch(l -> l.startsWith("listening on"));
    }
  }

  private static BufferedReader reader(java.io.InputStream in) {
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
  }

  /**
   * Waits until every packet already on the wire has been printed, stops tcpdump (SIGTERM, then
   * SIGKILL after 2 s) and returns the packets in order.
   */
  List<Capture.Packet> stop() {
    flushWithMarker();
    kill();
    try {
      pump.join(500); // the pipe ends when tcpdump exits; it has flushed every line by then
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Capture.Packet> out = new ArrayList<>();
    synchronized (lines) {
      for (String line : lines) {
        TcpdumpLine.parse(line).ifPresent(out::add);
      }
    }
    return List.copyOf(out);
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
}
