package tcplab.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.LibC;
import tcplab.observe.ProcNetTcp;

/**
 * Runs code inside one host: a fresh platform thread calls setns(2) into the host's network
 * namespace, so the sockets it makes belong to that host's kernel; and reads a socket's state as
 * that kernel lists it.
 */
final class InNamespace {
  static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;
  static final long IN_NAMESPACE_MILLIS = 30_000;

  private InNamespace() {}

  /**
   * Runs {@code task} inside namespace {@code ns} (a name in /run/netns) on a fresh platform
   * thread, 30 s deadline.
   */
  static <T> T in(String ns, Callable<T> task) {
    FutureTask<T> f =
        new FutureTask<>(
            () -> {
              enter("/run/netns/" + ns);
              return task.call();
            });
    Thread t = new Thread(f, "tcplab-in-" + ns);
    t.setDaemon(true);
    t.start();
    try {
      return f.get(IN_NAMESPACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      t.interrupt();
      throw new IllegalStateException(
          "code in namespace " + ns + " did not finish within " + IN_NAMESPACE_MILLIS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running code in namespace " + ns, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof IOException io) {
        throw new UncheckedIOException(
            io.getClass().getSimpleName() + ": " + io.getMessage() + " (in " + ns + ")", io);
      }
      throw new IllegalStateException(c.toString() + " (in " + ns + ")", c);
    }
  }

  /**
   * setns(open(path), CLONE_NEWNET) for the calling thread, then checks it really left the JVM's
   * namespace.
   */
  static void enter(String nsPath) throws IOException {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException("cannot enter " + nsPath + ": " + why);
            });
    CResult fd = LibC.call(() -> LibC.C.open(nsPath, O_RDONLY | O_CLOEXEC));
    if (fd.failed()) {
      throw new IllegalStateException("open(" + nsPath + ") failed: " + fd.text());
    }
    CResult r = LibC.call(() -> LibC.C.setns((int) fd.value(), CLONE_NEWNET));
    LibC.call(() -> LibC.C.close((int) fd.value()));
    if (r.failed()) {
      throw new IllegalStateException("setns(" + nsPath + ", CLONE_NEWNET) failed: " + r.text());
    }
    Path mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    if (mine.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
      throw new IllegalStateException(
          "setns(" + nsPath + ") left the thread in the JVM's own namespace " + mine);
    }
  }

  /**
   * The socket localPort->remotePort as the kernel of namespace {@code ns} lists it
   * (/proc/thread-self/net/tcp, tcp6).
   */
  static Optional<ProcNetTcp.Row> row(String ns, int localPort, int remotePort) {
    return in(
        ns,
        () ->
            ProcNetTcp.rows("/proc/thread-self/net/", "tcp", "tcp6").stream()
                .filter(r -> r.localPort() == localPort && r.remotePort() == remotePort)
                .findFirst());
  }

  /**
   * The state of the socket localPort->remotePort in namespace {@code ns}, e.g. "ESTABLISHED", or
   * "CLOSED" when its kernel lists none.
   */
  static String state(String ns, int localPort, int remotePort) {
    return row(ns, localPort, remotePort).map(ProcNetTcp.Row::state).orElse(ProcNetTcp.NOT_LISTED);
  }
}
