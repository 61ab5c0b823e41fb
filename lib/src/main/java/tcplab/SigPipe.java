package tcplab;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import tcplab.engine.Rows;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.LibC;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.ProcSelf;
import tcplab.proc.Processes;
import tech.tablesaw.api.Table;

/**
 * Lesson 17, "Broken pipe": two writes to a peer that closed in order (FIN, nothing unread). The
 * first write succeeds and draws an RST; the second fails with EPIPE and raises SIGPIPE, which
 * kills a process that keeps the default disposition (exit status 141) but not the JVM (HotSpot
 * catches SIGPIPE), and is never raised with send(..., MSG_NOSIGNAL).
 *
 * <p>Whether SIGPIPE was raised inside this JVM is observed, not assumed: during the call SIGPIPE
 * is blocked in the calling thread (pthread_sigmask), so a raised signal stays pending and shows in
 * /proc/thread-self/status (SigPnd); restoring the mask then delivers it to HotSpot's handler,
 * which ignores it.
 */
public final class SigPipe {
  private SigPipe() {}

  /** Deadline of each blocking step in {@link #run()}. */
  public static final int DEFAULT_DEADLINE_MS = 5_000;

  /** Longest step deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 30_000;

  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
  private static final int SIG_BLOCK = 0, SIG_SETMASK = 2;

  /**
   * Runs the three writers (bash child, JVM write(), JVM send(MSG_NOSIGNAL)) with a 5 s deadline
   * per step.
   */
  public static Table run() {
    return run(DEFAULT_DEADLINE_MS);
  }

  /**
   * Like {@link #run()}; every blocking step gives up after {@code stepDeadlineMillis} (1 .. 30000
   * ms).
   */
  public static Table run(int stepDeadlineMillis) {
    Check.range("stepDeadlineMillis", stepDeadlineMillis, 1, MAX_DEADLINE_MS, "ms");
    Rows t =
        new Rows(
            "who",
            "call (C terms)",
            "returned / errno",
            "SIGPIPE",
            "what happened",
            "process survived");
    bash(t, stepDeadlineMillis);
    jvm(t, stepDeadlineMillis, false);
    jvm(t, stepDeadlineMillis, true);
    return t.table("Two writes to a peer that closed after reading everything (FIN)");
  }

  private static void bash(Rows t, int ms) {
    Optional<String> bash = Processes.onPath("bash");
    if (bash.isEmpty()) {
      t.add("bash child", "printf x >&3 (write)", "not observable here: no bash on PATH");
      return;
    }
    Process p = null;
    try (ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      l.setSoTimeout(ms);
      int port = l.getLocalPort();
      String script =
          "exec 3<>/dev/tcp/127.0.0.1/"
              + port
              + " || exit 3; echo READY; read -r _ || exit 4; "
              + "printf x >&3; echo \"first write: $?\"; read -r _ || exit 4; printf y >&3; echo \"second write: $?\"";
      p = new ProcessBuilder(bash.get(), "-c", script).redirectErrorStream(true).start();
      Processes.Lines out = new Processes.Lines(p);
      int childPort;
      try (Socket s = l.accept()) {
        childPort = s.getPort();
        out.poll("READY", ms);
      } catch (SocketTimeoutException e) {
        t.add(
            "bash child",
            "connect via /dev/tcp",
            "not observable here: bash did not connect within "
                + ms
                + " ms ("
                + out.printed()
                + ")");
        return;
      } // the peer had nothing to read: its close() sends FIN
      String who =
          "bash child pid "
              + p.pid()
              + " (SIGPIPE "
              + ProcSelf.sigpipeDisposition(Path.of("/proc/" + p.pid() + "/status"))
              + ")";
      String fin = awaitCloseWait(childPort, port, ms);
      OutputStream in = p.getOutputStream();
      in.write('\n');
      in.flush();
      String first = out.poll("first write", ms);
      t.add(
          who,
          "printf x >&3 → write(3, \"x\", 1)",
          first == null ? "no answer within " + ms + " ms" : "$? = " + first.substring(13),
          p.isAlive() ? "not raised (bash is alive)" : "?",
          fin + "; after the write the child's end is " + Rows.state(childPort, port),
          p.isAlive() ? "yes" : "no");
      in.write('\n');
      in.flush();
      boolean exited = p.waitFor(ms, TimeUnit.MILLISECONDS);
      int status = exited ? p.exitValue() : -1;
      String second = out.poll("second write", exited ? 200 : 1);
      t.add(
          who,
          "printf y >&3 → write(3, \"y\", 1)",
          second != null
              ? "$? = " + second.substring(14)
              : exited ? "no return: the process died" : "no answer within " + ms + " ms",
          status > 128
              ? (status - 128 == 13 ? "raised: killed by it" : "killed by signal " + (status - 128))
              : "not raised",
          (exited
                  ? "exit status " + status + (status > 128 ? " = 128 + " + (status - 128) : "")
                  : "still running after " + ms + " ms")
              + "; printed: "
              + out.printed(),
          exited ? "no" : "yes");
    } catch (IOException e) {
      t.add("bash child", "", "not observable here: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      t.add("bash child", "", "not observable here: interrupted");
    } finally {
      Processes.reap(p, ms);
    }
  }

  private static void jvm(Rows t, int ms, boolean noSignal) {
    String who =
        "this JVM, "
            + (noSignal ? "send(MSG_NOSIGNAL)" : "write()")
            + " (SIGPIPE "
            + ProcSelf.sigpipeDisposition(ProcSelf.STATUS)
            + ")";
    Optional<String> why = CView.unavailableReason();
    if (why.isPresent()) {
      t.add(who, "", why.get());
      return;
    }
    try (ServerSocket l = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket c = new Socket()) {
      l.setSoTimeout(ms);
      c.connect(l.getLocalSocketAddress(), ms);
      int fd = CView.fdOf(c), port = l.getLocalPort(), me = c.getLocalPort();
      try (Socket s = l.accept()) {
        s.setSoTimeout(ms); // nothing was sent, so the peer has read everything: close() sends FIN
      }
      String fin = awaitCloseWait(me, port, ms);
      for (int i = 1; i <= 2; i++) {
        Signalled r =
            observeSigpipe(
                () -> {
                  CResult ready = CView.poll(fd, (short) 0x4 /* POLLOUT */, ms);
                  return ready.failed() || ready.value() == 0
                      ? new CResult(-1, CResult.EAGAIN)
                      : noSignal ? CView.send(fd, DATA, CView.MSG_NOSIGNAL) : CView.write(fd, DATA);
                });
        t.add(
            who,
            noSignal
                ? "send(" + fd + ", \"data\", 4, MSG_NOSIGNAL)"
                : "write(" + fd + ", \"data\", 4)",
            r.result().text(),
            r.sigpipe(),
            (i == 1 ? fin + "; " : "") + "after the call my end is " + Rows.state(me, port),
            "yes (pid " + ProcessHandle.current().pid() + " is still running)");
      }
    } catch (IOException e) {
      t.add(who, "", "not observable here: " + e);
    }
  }

  /** A libc result and whether it raised SIGPIPE in the calling thread. */
  private record Signalled(CResult result, String sigpipe) {}

  private static Signalled observeSigpipe(Supplier<CResult> call) {
    byte[] set = new byte[128], old = new byte[128];
    set[1] = 0x10; // bit 12 of the first word: signal 13
    if (LibC.C.pthread_sigmask(SIG_BLOCK, set, old) != 0) {
      return new Signalled(call.get(), "not observable (pthread_sigmask failed)");
    }
    try {
      boolean before = ProcSelf.sigpipePending();
      CResult r = call.get();
      boolean after = ProcSelf.sigpipePending();
      return new Signalled(
          r, before ? "unknown (already pending)" : after ? "raised" : "not raised");
    } finally {
      LibC.C.pthread_sigmask(SIG_SETMASK, old, null);
    }
  }

  private static String awaitCloseWait(int local, int remote, int ms) {
    long t0 = System.nanoTime();
    boolean ok =
        ProcNetTcp.awaitState(
            local, remote, r -> r.state().equals("CLOSE_WAIT"), Duration.ofMillis(ms));
    return ok
        ? String.format(
            "peer closed (FIN): writer's end CLOSE_WAIT after %.1f ms",
            (System.nanoTime() - t0) / 1e6)
        : "peer closed, but the writer's end is "
            + Rows.state(local, remote)
            + " after "
            + ms
            + " ms";
  }
}
