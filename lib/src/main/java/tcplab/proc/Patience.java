package tcplab.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A deadline counted in an idle machine's time, for waits on the machine rather than on TCP.
 *
 * <p>The lab's bounds on starting a process, a private host or a play are written for one student
 * on an idle machine. On a classroom server thirty kernels share two cores: a JVM that starts in
 * 0.5 s alone takes ten seconds or more, and a bound that expires then reports a failure that is
 * only the queue for the CPU. A Patience deadline counts each moment of waiting as {@code 1 /
 * stretch} of a moment, where the stretch is the machine's runnable tasks per core (sampled from
 * {@code /proc/loadavg} at most every 20 ms while the wait lasts; not the load average, which lags
 * for minutes after a class has finished), at least 1. On an idle machine it is the plain bound.
 * The wall-clock wait never exceeds {@link #MAX_STRETCH} times the bound, so nothing waits forever.
 * {@code TCPLAB_PATIENCE} (a number, 1 .. 20) pins the stretch; 1 turns it off.
 *
 * <p>Waits whose length is the lesson's point (a read that blocks for a step's deadline, a timer
 * the kernel runs) do not use it: they stay in real time.
 */
public final class Patience {
  /** A wait never takes longer than this many times its bound, however busy the machine. */
  public static final int MAX_STRETCH = 20;

  private static final long SLICE_NANOS = 200_000_000L;
  private static final long SAMPLE_NANOS = 20_000_000L;
  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private final long boundMillis;
  private final long startNanos;
  private long lastNanos;
  private double countedNanos;
  private double maxStretch = 1;
  private double stretchNow = 1;
  private long sampledNanos;

  private Patience(long boundMillis) {
    this.boundMillis = boundMillis;
    this.startNanos = System.nanoTime();
    this.lastNanos = startNanos;
    this.sampledNanos = startNanos;
  }

  /** A deadline of {@code millis} of an idle machine's time, starting now. */
  public static Patience of(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException("millis must be >= 0; got " + millis + ".");
    }
    return new Patience(millis);
  }

  /**
   * How long to wait before asking again (ms, at most 200), or 0 when the deadline has passed. Each
   * call counts the time since the previous one at the machine's current stretch.
   */
  public long nextWaitMillis() {
    double stretch = count();
    long now = System.nanoTime();
    double idleLeft = boundMillis * 1e6 - countedNanos;
    double wallLeft = startNanos + boundMillis * 1e6 * MAX_STRETCH - now;
    if (idleLeft <= 0 || wallLeft <= 0) {
      return 0;
    }
    double wait = Math.min(SLICE_NANOS, Math.min(idleLeft * stretch, wallLeft));
    return Math.max(1, (long) Math.ceil(wait / 1e6));
  }

  /** Whether the deadline has passed (counts the time since the last call). */
  public boolean over() {
    return nextWaitMillis() == 0;
  }

  /** The bound in idle-machine milliseconds. */
  public long boundMillis() {
    return boundMillis;
  }

  /**
   * The bound for a message: "10000 ms", or, when the machine was busy, "10000 ms of an idle
   * machine (waited 61.2 s; up to 14.5 runnable tasks per core)".
   */
  public String describe() {
    if (maxStretch <= 1.05) {
      return boundMillis + " ms";
    }
    return String.format(
        Locale.ROOT,
        "%d ms of an idle machine (waited %.1f s; up to %.1f runnable tasks per core)",
        boundMillis,
        (System.nanoTime() - startNanos) / 1e9,
        maxStretch);
  }

  private double count() {
    long now = System.nanoTime();
    if (now - sampledNanos >= SAMPLE_NANOS
        || sampledNanos == startNanos) { // a tight loop reads it 50 times a second at most
      stretchNow = stretch();
      sampledNanos = now;
    }
    double stretch = stretchNow;
    countedNanos += (now - lastNanos) / stretch;
    lastNanos = now;
    maxStretch = Math.max(maxStretch, stretch);
    return stretch;
  }

  /**
   * The machine's runnable tasks per core now, between 1 and {@link #MAX_STRETCH} (1 where {@code
   * /proc/loadavg} cannot be read).
   */
  public static double stretch() {
    String pinned = System.getenv("TCPLAB_PATIENCE");
    if (pinned != null && !pinned.isBlank()) {
      try {
        return clamp(Double.parseDouble(pinned.strip()));
      } catch (NumberFormatException e) {
        return 1; // the lab's own scripts set it; a wrong value means "no stretch"
      }
    }
    return clamp(load(readLoadavg()) / Runtime.getRuntime().availableProcessors());
  }

  /**
   * The tasks runnable now, from a {@code /proc/loadavg} line ("0.91 1.92 9.48 3/250 12345": 3); 0
   * when the line cannot be parsed.
   */
  static double load(String loadavg) {
    try {
      String[] f = loadavg.strip().split("\\s+");
      return Integer.parseInt(f[3].substring(0, f[3].indexOf('/')));
    } catch (RuntimeException e) {
      return 0;
    }
  }

  private static String readLoadavg() {
    try {
      return Files.readString(LOADAVG);
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static double clamp(double stretch) {
    return Double.isNaN(stretch) ? 1 : Math.max(1, Math.min(MAX_STRETCH, stretch));
  }
}
