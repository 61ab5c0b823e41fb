package tcplab.proc;

import java.util.concurrent.ThreadFactory;

/** The lab's background threads: named, and daemons, so that none of them keeps a JVM alive. */
public final class Daemons {
  private Daemons() {}

  /** A factory of daemon threads called {@code name}, for the lab's executors. */
  public static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** Starts {@code r} on a daemon thread called {@code name}. */
  public static Thread start(String name, Runnable r) {
    Thread t = named(name).newThread(r);
    t.start();
    return t;
  }
}
