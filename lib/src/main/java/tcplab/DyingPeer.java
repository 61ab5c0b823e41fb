package tcplab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import tcplab.ResetOrPipe.Control;
import tcplab.observe.ProcNetTcp;
import tcplab.proc.Daemons;
import tcplab.proc.Patience;
import tcplab.proc.Processes;

/**
 * The peer that dies in {@link ResetOrPipe}'s sweep: a bash reader on {@code /dev/tcp} (its script
 * per {@link Control}), its readiness, the kernel queues of its connection, and the small waits the
 * sweep needs. Every wait has a deadline.
 */
final class DyingPeer {
  private static volatile ScheduledExecutorService watchdog;

  private DyingPeer() {}

  /**
   * The peer's script; it never forks, so SIGKILL to the bash process kills the socket's only
   * owner. NATURAL: block for the first byte, take what else arrives within 1 ms (up to 1 KiB in
   * all, like C's read(fd, buf, 1024)), then sleep 10 ms (read -t on the silent stdin pipe). A
   * plain {@code read -N 1024} would keep reading until it has 1024 bytes and so drain the kernel
   * queue of a slow sender. Measured pace under a flood: about 96 KB/s, 1 KiB per 10.6 ms (C's
   * reliable_server02: about 100 KB/s).
   */
  static String script(Control c) {
    String body =
        switch (c) {
          case UNREAD -> "read -r _";
          case EMPTY -> "exec cat <&3 >/dev/null";
          case NATURAL ->
              "while read -r -N 1 -u 3 _; do read -r -N 1023 -t 0.001 -u 3 _; read -r -t 0.01 -u 0 _; done";
        };
    return "exec 3<>/dev/tcp/127.0.0.1/$1 || exit 1\necho READY\n" + body + "\n";
  }

  /**
   * Bytes in a socket's receive ({@code recv}) or send queue, as ss shows them; -1 if the socket is
   * absent. Reads /proc/net/tcp first (the bash peer is IPv4) and tcp6 only if needed (this JVM's
   * dual-stack socket): each file costs about 2 ms here.
   */
  static long queue(int localPort, int remotePort, boolean recv) {
    for (String file : new String[] {"tcp", "tcp6"}) {
      try {
        for (String line : Files.readAllLines(Path.of(ProcNetTcp.DEFAULT_PREFIX, file))) {
          ProcNetTcp.Row r = ProcNetTcp.parse(line);
          if (r != null && r.localPort() == localPort && r.remotePort() == remotePort) {
            return recv ? r.recvQ() : r.sendQ();
          }
        }
      } catch (IOException e) {
        // no such file (IPv6 off): try the next
      }
    }
    return -1;
  }

  static boolean until(BooleanSupplier condition) {
    Patience patience = Patience.of(ResetOrPipe.SETUP_MILLIS); // a set-up wait: see Patience
    while (!condition.getAsBoolean()) {
      if (patience.over()) {
        return false;
      }
      LockSupport.parkNanos(200_000L);
    }
    return true;
  }

  /** Sleeps until System.nanoTime() reaches {@code deadline}; false if interrupted. */
  static boolean sleepUntil(long deadline) {
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  static void awaitReady(Process peer) throws IOException {
    InputStream in = peer.getInputStream();
    StringBuilder line = new StringBuilder();
    Patience patience = Patience.of(ResetOrPipe.SETUP_MILLIS);
    while (!patience.over()) {
      while (in.available() > 0) {
        int b = in.read();
        if (b == '\n') {
          if (line.toString().equals("READY")) {
            return;
          }
          line.setLength(0);
        } else if (b >= 0) {
          line.append((char) b);
        }
      }
      if (!peer.isAlive()) {
        break;
      }
      LockSupport.parkNanos(50_000L);
    }
    throw new IllegalStateException(
        "the bash peer did not print READY within "
            + patience.describe()
            + (peer.isAlive() ? "" : "; it exited with status " + peer.exitValue())
            + "; it printed: "
            + line
            + drain(in));
  }

  static String drain(InputStream in) {
    try {
      int n = Math.min(in.available(), 2_000);
      return new String(in.readNBytes(n), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The bash executable on the PATH; throws one sentence when there is none. */
  static String bash() {
    return Processes.onPath("bash")
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "ResetOrPipe needs bash to play the dying peer, and no bash was found on the PATH."));
  }

  static ScheduledExecutorService watchdog() {
    if (watchdog == null) {
      synchronized (DyingPeer.class) {
        if (watchdog == null) {
          watchdog =
              Executors.newSingleThreadScheduledExecutor(
                  Daemons.named("tcplab-reset-or-pipe-watchdog"));
        }
      }
    }
    return watchdog;
  }

  static void close(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }
}
