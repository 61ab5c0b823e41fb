package tcplab.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import tcplab.Step;
import tcplab.proc.ChildJvm;

/**
 * The parent's handle on a {@link PeerProcess}: start it, send it steps, crash it, always reap it.
 */
final class Child implements AutoCloseable {
  /** How long a peer process may take to start and accept (a loaded classroom machine is slow). */
  static final int START_MILLIS = 10_000;

  private final ChildJvm jvm;
  private int port = -1;

  /** How long a kept-warm peer waits for its connection before it exits by itself. */
  private static final int WARM_ACCEPT_MILLIS = 600_000;

  private static final Map<Ops.Mode, Child> WARM = new EnumMap<>(Ops.Mode.class);
  private static volatile boolean keepWarm;

  private Child(Ops.Mode mode, int acceptMillis) throws IOException {
    jvm =
        ChildJvm.start(
            List.of(),
            List.of("-Xmx64m"),
            PeerProcess.class.getName(),
            List.of(mode.name(), Integer.toString(acceptMillis)));
  }

  /**
   * Starts a server peer process (or takes the one kept warm); {@link #port()} waits until it
   * listens.
   */
  static Child start(Ops.Mode mode) throws IOException {
    Child warm;
    synchronized (WARM) {
      warm = WARM.remove(mode);
    }
    if (warm != null && warm.jvm.alive()) {
      return warm;
    }
    if (warm != null) {
      warm.close();
    }
    return new Child(mode, START_MILLIS);
  }

  /**
   * Keeps one started peer process per mode ready, so that a crash scenario does not wait for two
   * JVM starts (most of its time). Only for a long-lived JVM that owns its processes' fate (the
   * private host: every peer dies with its namespaces); {@code false} ends the waiting peers.
   */
  public static void keepWarm(boolean on) {
    keepWarm = on;
    if (!on) {
      synchronized (WARM) {
        WARM.values().forEach(Child::close);
        WARM.clear();
      }
    }
  }

  /**
   * Starts the missing warm peers in the background (after a play, so they do not slow it down).
   */
  public static void refillWarm() {
    if (!keepWarm) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              for (Ops.Mode mode : Ops.Mode.values()) {
                synchronized (WARM) {
                  if (!keepWarm || WARM.containsKey(mode)) {
                    continue;
                  }
                  try {
                    WARM.put(mode, new Child(mode, WARM_ACCEPT_MILLIS));
                  } catch (IOException e) {
                    return; // the next play starts its own
                  }
                }
              }
            },
            "tcplab-warm-peers");
    t.setDaemon(true);
    t.start();
  }

  /** The port the child listens on, once it says so. */
  int port() throws IOException {
    if (port < 0) {
      port = Integer.parseInt(jvm.await("PORT", START_MILLIS).substring(5).trim());
    }
    return port;
  }

  long pid() {
    return jvm.pid();
  }

  /** Waits until the child has accepted the connection. */
  void awaitReady(int millis) throws IOException {
    jvm.await("READY", millis);
  }

  /** Performs one step in the child and returns its view. */
  String perform(Step step, int deadlineMillis) throws IOException {
    jvm.send(
        step.op()
            + " "
            + step.number()
            + " "
            + deadlineMillis
            + " "
            + Base64.getEncoder().encodeToString(step.text().getBytes(StandardCharsets.UTF_8)));
    String done = jvm.await("DONE", deadlineMillis + 2_000);
    return new String(Base64.getDecoder().decode(done.substring(5).trim()), StandardCharsets.UTF_8);
  }

  /**
   * What poll() and epoll_wait() (timeout 0) report on the child's socket now: {poll names, epoll
   * names}.
   */
  String[] ready(int millis) throws IOException {
    jvm.send("POLL");
    String[] f = jvm.await("POLLED ", millis).substring(7).split("/", 2);
    return new String[] {f[0], f.length > 1 ? f[1] : "?"};
  }

  /** Kills the process with SIGKILL and reaps it; returns its exit status (137 = 128 + SIGKILL). */
  int crash(int millis) {
    return jvm.kill(millis);
  }

  @Override
  public void close() {
    jvm.close();
  }
}
