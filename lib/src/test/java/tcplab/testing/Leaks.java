package tcplab.testing;

import tcplab.observe.ProcSelf;

/**
 * Counts what a run could leave behind: file descriptors and live threads of this JVM (as
 * Lab.resources() does).
 */
public final class Leaks {
  private Leaks() {}

  public static long fds() {
    return ProcSelf.fds();
  }

  public static int threads() {
    return Thread.activeCount();
  }
}
