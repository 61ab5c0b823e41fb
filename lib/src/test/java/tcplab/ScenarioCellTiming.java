package tcplab;

import java.util.Arrays;
import tcplab.net.PrivateHost;

/**
 * Wall time of a scenario cell (run, calls table, packets table, ladder) where this user's
 * scenarios play: median and max of N runs of a non-crash and a crash scenario, with a pause
 * between runs as a reader makes. Run it as the student would, e.g. after {@code mvn -DskipTests
 * package} and copying target/jars somewhere readable: {@code runuser -u tcplab-student -- java -cp
 * test-classes:jars/tcplab.jar tcplab.ScenarioCellTiming 15 2000}.
 */
public final class ScenarioCellTiming {
  private ScenarioCellTiming() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 11;
    int pause = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
    long s0 = System.nanoTime();
    String packets =
        Lab.packets(); // a notebook's first cell: starts the private host where scenarios play
    // there
    System.out.printf("%s (first call %.0f ms)%n", packets, (System.nanoTime() - s0) / 1e6);
    for (String which : new String[] {"writeAfterPeerClosed", "crashWithUnreadData"}) {
      double[] ms = new double[n];
      int withPackets = 0;
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          Thread.sleep(pause);
        }
        long t0 = System.nanoTime();
        Result r = Lesson.byName(which).run();
        r.calls();
        r.packets();
        r.ladder(false);
        ms[i] = (System.nanoTime() - t0) / 1e6;
        withPackets += r.packets().rowCount() > 0 ? 1 : 0;
      }
      double[] sorted = ms.clone();
      Arrays.sort(sorted);
      System.out.printf(
          "%s: median %.0f ms, max %.0f ms, first %.0f ms, runs %d with packets %d%n",
          which, sorted[n / 2], sorted[n - 1], ms[0], n, withPackets);
    }
    System.out.println(
        "user "
            + System.getProperty("user.name")
            + ", root "
            + Lab.isRoot()
            + ", private host "
            + (PrivateHost.available() ? "available" : PrivateHost.why())
            + ", started "
            + PrivateHost.starts()
            + "x");
  }
}
