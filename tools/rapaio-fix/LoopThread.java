package org.rapaio.jupyter.kernel.channels;

/**
 * tcplab's fix for two start-up races of rapaio-jupyter-kernel 3.0.1 (the original class is
 * replaced by putting this one first on the kernel's class path; see tools/lab.sh):
 * <ol>
 * <li>the original {@code start()} sets {@code running = true} only after {@code Thread.start()}, so a
 *     channel thread can see {@code false} and exit at once: the kernel then never answers;</li>
 * <li>a message that arrives before the channel handlers are installed throws a
 *     NullPointerException that kills the channel thread for good.</li>
 * </ol>
 * Here {@code running} is set first, and a failing loop iteration is reported and retried.
 */
public final class LoopThread extends Thread {
  private volatile boolean running;
  private final long sleep;
  private final Runnable loopBody;

  public LoopThread(String name, long sleep, Runnable loopBody) {
    super(name);
    this.sleep = sleep;
    this.loopBody = loopBody;
  }

  @Override
  public void run() {
    while (running) {
      try {
        loopBody.run();
      } catch (RuntimeException e) {
        System.err.println("[tcplab rapaio fix] " + getName() + ": " + e + " (retrying)");
      }
      try {
        Thread.sleep(sleep);
      } catch (InterruptedException e) {
        running = false;
        return;
      }
    }
  }

  @Override
  public synchronized void start() {
    running = true;
    super.start();
  }

  public void shutdown() {
    running = false;
  }
}
