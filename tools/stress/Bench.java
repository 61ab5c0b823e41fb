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
import tcplab.StoppedReceiver;

/**
 * Benchmark (not a test): runs every lesson scenario N times (default 100) and prints, per scenario,
 * the outcome distribution (identical outcomes = deterministic), the mismatch count, and the median
 * and max wall time. Usage: java -cp lib/target/jars/tcplab.jar tools/stress/Bench.java [runs] (BENCH_ONLY=a,b for a subset)
 */
public class Bench {
  public static void main(String[] args) {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
    Map<String, Supplier<String>> all = new LinkedHashMap<>();
    scenario(all, "crashWithUnreadData", Lesson::crashWithUnreadData);
    scenario(all, "crashAfterReadingEverything", Lesson::crashAfterReadingEverything);
    scenario(all, "applicationAck", Lesson::applicationAck);
    scenario(all, "writeAfterPeerClosed", Lesson::writeAfterPeerClosed);
    scenario(all, "readAfterReset", Lesson::readAfterReset);
    scenario(all, "writeAfterReset", Lesson::writeAfterReset);
    scenario(all, "closeWithUnreadData", Lesson::closeWithUnreadData);
    scenario(all, "lessonServerKilled(20ms)", () -> Lesson.lessonServerKilled(20));
    scenario(all, "lessonTypeAfterKill", Lesson::lessonTypeAfterKill);
    scenario(all, "halfClose", Lesson::halfClose);
    scenario(all, "writeAfterOwnShutdown", Lesson::writeAfterOwnShutdown);
    scenario(all, "shutdownRead", Lesson::shutdownRead);
    scenario(all, "orderlyClose", Lesson::orderlyClose);
    // Other runs whose control is set: one line each, the outcome as one string (same string = same
    // outcome). Add new ones here.
    all.put("bufferedSend(16K)", () -> {
      BufferedSend.Result r = BufferedSend.run(16384, 16384, 16384, 2000);
      return r.acceptedBytes() + " bytes in " + r.writes().rowCount() + " writes";
    });
    all.put("stoppedReceiver.neverReads", () -> zeroWindow(StoppedReceiver.neverReads(4096, 1500)));
    all.put("stoppedReceiver.paused", () -> zeroWindow(StoppedReceiver.paused(4096, 1500)));
    all.put("stoppedReceiver.whatEndsTheWait", () -> String.join(", ",
        StoppedReceiver.whatEndsTheWait(4096, 1000, 500, 500, 100).stringColumn("ended the wait?").asList()));
    String only = System.getenv("BENCH_ONLY"); // a comma-separated subset of the names, if set
    System.out.printf("%-30s %6s %10s %11s %9s %9s %9s%n", "run", "runs", "identical", "mismatches",
        "median", "max", "waits");
    for (Map.Entry<String, Supplier<String>> e : all.entrySet()) {
      if (only != null && !only.isBlank() && !List.of(only.split(",")).contains(e.getKey())) {
        continue;
      }
      Map<String, Integer> outcomes = new TreeMap<>();
      List<Double> ms = new ArrayList<>();
      int mismatches = 0;
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        String outcome = e.getValue().get();
        ms.add((System.nanoTime() - t0) / 1e6);
        if (outcome.startsWith(MISMATCH)) {
          mismatches++;
          outcome = outcome.substring(MISMATCH.length());
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
      Collections.sort(ms);
      int top = Collections.max(outcomes.values());
      System.out.printf("%-30s %6d %7d/%-3d %11d %7.0f ms %6.0f ms %6.0f ms%n", e.getKey(), runs, top, runs,
          mismatches, ms.get(ms.size() / 2), ms.get(ms.size() - 1), waits.getOrDefault(e.getKey(), 0.0));
      if (outcomes.size() > 1) {
        outcomes.forEach((k, v) -> System.out.println("      " + v + "x " + k));
      }
    }
  }

  private static final String MISMATCH = "!mismatch: ";

  /** A stopped receiver's outcome: zero window, probes answered, the writer blocked without error. */
  private static String zeroWindow(StoppedReceiver.Outcome o) {
    Map<String, String> f = o.facts();
    boolean paused = f.get("receiver").startsWith("paused");
    return (f.getOrDefault("zeroWindowAt", "").isEmpty() ? "no zero window" : "zero window")
        + ", probes " + (Integer.parseInt(f.getOrDefault("probes", "0")) > 0 ? "seen" : "none")
        + ", answered " + (Integer.parseInt(f.getOrDefault("probesAnswered", "0")) > 0 ? "yes" : "no")
        + ", writer " + (f.getOrDefault("writer", "").startsWith("blocked") ? "blocked, no error" : f.get("writer"))
        + (paused ? ", after SIGCONT " + (f.getOrDefault("readAfterCont", "").equals(f.get("acceptedTotal"))
            ? "every byte read" : "bytes missing") : "");
  }
  private static final Map<String, Double> waits = new TreeMap<>();

  /** A lesson scenario: its outcome, marked when a step returned other than expected. */
  private static void scenario(Map<String, Supplier<String>> all, String name, Supplier<Scenario> s) {
    waits.put(name, s.get().steps().stream()
        .filter(x -> x.op() == tcplab.Step.Op.PAUSE).mapToInt(tcplab.Step::number).sum() * 2.0);
    all.put(name, () -> {
      Result r = s.get().run();
      return (r.mismatches() > 0 ? MISMATCH : "") + r.outcome();
    });
  }
}
