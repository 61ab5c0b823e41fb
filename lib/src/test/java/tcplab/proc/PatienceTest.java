package tcplab.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A deadline in an idle machine's time: plain on an idle machine, longer on a busy one, capped. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PatienceTest {

  @Test
  void readsTheRunnableTasksNotTheLaggingLoadAverage() {
    assertEquals(3.0, Patience.load("0.91 1.92 9.48 3/250 12345"));
    assertEquals(2.0, Patience.load("125.50 112.00 93.10 2/900 777\n"));
    assertEquals(0.0, Patience.load(""));
    assertEquals(0.0, Patience.load("not a loadavg line"));
  }

  @Test
  void aDeadlineNeverEndsBeforeItsBound() throws Exception {
    Patience p = Patience.of(300);
    long t0 = System.nanoTime();
    for (long left; (left = p.nextWaitMillis()) > 0; ) {
      Thread.sleep(left);
    }
    double ms = (System.nanoTime() - t0) / 1e6;
    assertTrue(ms >= 299, "ended after " + ms + " ms, before its 300 ms bound");
    assertTrue(ms <= 300.0 * Patience.MAX_STRETCH + 500, "waited " + ms + " ms, beyond the cap");
    assertTrue(p.over());
  }

  /**
   * Four busy threads per core make the machine a classroom server: the stretch reads above 1 and a
   * 500 ms deadline takes longer than 500 ms of wall time (but never beyond the cap).
   */
  @Test
  void aBusyMachineStretchesTheDeadline() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    AtomicBoolean spin = new AtomicBoolean(true);
    List<Thread> busy = new ArrayList<>();
    for (int i = 0; i < 4 * cores; i++) {
      Thread t =
          new Thread(
              () -> {
                long x = 0;
                while (spin.get()) {
                  x += System.nanoTime() % 7;
                }
                if (x == 42) {
                  System.out.print("");
                }
              },
              "tcplab-test-busy-" + i);
      t.setDaemon(true);
      t.start();
      busy.add(t);
    }
    try {
      Thread.sleep(300);
      double stretch = Patience.stretch();
      assertTrue(stretch > 1.5, "stretch " + stretch + " with " + busy.size() + " busy threads");
      Patience p = Patience.of(500);
      long t0 = System.nanoTime();
      for (long left; (left = p.nextWaitMillis()) > 0; ) {
        Thread.sleep(left);
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      assertTrue(ms > 750, "a 500 ms deadline ended after " + ms + " ms on a busy machine");
      assertTrue(ms <= 500.0 * Patience.MAX_STRETCH + 500, "waited " + ms + " ms");
      assertTrue(p.describe().contains("of an idle machine"), p.describe());
    } finally {
      spin.set(false);
      for (Thread t : busy) {
        t.join(5_000);
      }
    }
  }
}
