import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import tcplab.BufferedSend;
import tcplab.Lesson;
import tcplab.Result;
import tcplab.Scenario;

/**
 * Benchmark (not a test): runs every lesson scenario N times (default 100) and prints, per scenario,
 * the outcome distribution (identical outcomes = deterministic), the mismatch count, and the median
 * and max wall time. Usage: java -cp lib/target/jars/tcplab.jar tools/stress/Bench.java [runs]
 */
public class Bench {
  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Map<String, Supplier<Scenario>> all = new LinkedHashMap<>();
    all.put("crashWithUnreadData", Lesson::crashWithUnreadData);
    all.put("crashAfterReadingEverything", Lesson::crashAfterReadingEverything);
    all.put("applicationAck", Lesson::applicationAck);
    all.put("writeAfterPeerClosed", Lesson::writeAfterPeerClosed);
    all.put("readAfterReset", Lesson::readAfterReset);
    all.put("writeAfterReset", Lesson::writeAfterReset);
    all.put("closeWithUnreadData", Lesson::closeWithUnreadData);
    all.put("lessonServerKilled(20ms)", () -> Lesson.lessonServerKilled(20));
    all.put("lessonTypeAfterKill", Lesson::lessonTypeAfterKill);
    all.put("halfClose", Lesson::halfClose);
    all.put("writeAfterOwnShutdown", Lesson::writeAfterOwnShutdown);
    all.put("shutdownRead", Lesson::shutdownRead);
    all.put("orderlyClose", Lesson::orderlyClose);
    System.out.printf("%-30s %6s %10s %11s %9s %9s %9s%n", "scenario", "runs", "identical", "mismatches",
        "median", "max", "waits");
    for (Map.Entry<String, Supplier<Scenario>> e : all.entrySet()) {
      Map<String, Integer> outcomes = new TreeMap<>();
      List<Double> ms = new ArrayList<>();
      int mismatches = 0;
      double waits = e.getValue().get().steps().stream()
          .filter(s -> s.op() == tcplab.Step.Op.PAUSE).mapToInt(tcplab.Step::number).sum() * 2.0;
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        Result r = e.getValue().get().run();
        ms.add((System.nanoTime() - t0) / 1e6);
        outcomes.merge(r.outcome(), 1, Integer::sum);
        mismatches += r.mismatches() > 0 ? 1 : 0;
      }
      Collections.sort(ms);
      int top = Collections.max(outcomes.values());
      System.out.printf("%-30s %6d %7d/%-3d %11d %7.0f ms %6.0f ms %6.0f ms%n", e.getKey(), runs, top, runs,
          mismatches, ms.get(ms.size() / 2), ms.get(ms.size() - 1), waits);
      if (outcomes.size() > 1) {
        outcomes.forEach((k, v) -> System.out.println("      " + v + "x " + k));
      }
    }
    Map<String, Integer> sizes = new TreeMap<>();
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      BufferedSend.Result r = BufferedSend.run(16384, 16384, 16384, 2000);
      ms.add((System.nanoTime() - t0) / 1e6);
      sizes.merge(r.acceptedBytes() + " bytes in " + r.writes().rowCount() + " writes", 1, Integer::sum);
    }
    Collections.sort(ms);
    System.out.printf("%-30s %6d %7d/%-3d %11s %7.0f ms %6.0f ms %6.0f ms%n", "bufferedSend(16K)", runs,
        Collections.max(sizes.values()), runs, "-", ms.get(ms.size() / 2), ms.get(ms.size() - 1), 0.0);
    if (sizes.size() > 1) {
      sizes.forEach((k, v) -> System.out.println("      " + v + "x " + k));
    }
  }
}
