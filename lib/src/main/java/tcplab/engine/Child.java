package tcplab.engine;

import tcplab.Step;
import tcplab.observe.CView;
import tcplab.proc.Processes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import tcplab.proc.ChildJvm;

/** The parent's handle on a {@link PeerProcess}: start it, send it steps, crash it, always reap it. */
final class Child implements AutoCloseable {
  /** How long a peer process may take to start and accept (a loaded classroom machine is slow). */
  static final int START_MILLIS = 10_000;
  private final ChildJvm jvm;
  private int port = -1;

  private Child(Ops.Mode mode) throws IOException {
    jvm = ChildJvm.start(List.of(), List.of("-Xmx64m"), PeerProcess.class.getName(), List.of(mode.name()));
  }

  /** Starts a server peer process; {@link #port()} waits until it listens. */
  static Child start(Ops.Mode mode) throws IOException {
    return new Child(mode);
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
    jvm.send(step.op() + " " + step.number() + " " + deadlineMillis + " "
        + Base64.getEncoder().encodeToString(step.text().getBytes(StandardCharsets.UTF_8)));
    String done = jvm.await("DONE", deadlineMillis + 2_000);
    return new String(Base64.getDecoder().decode(done.substring(5).trim()), StandardCharsets.UTF_8);
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
