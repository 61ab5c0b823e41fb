package tcplab;

/** Counts what a run could leave behind: file descriptors and live threads of this JVM (as Lab.resources() does). */
final class Leaks {
  private Leaks() {}

  static long fds() {
    return Lab.fds();
  }

  static int threads() {
    return Thread.activeCount();
  }
}
