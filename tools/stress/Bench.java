import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import tcplab.BufferedSend;
import tcplab.Lesson;
import tcplab.ResetOrPipe;
import tcplab.Readiness;
import tcplab.Result;
import tcplab.Scenario;
import tcplab.StoppedReceiver;

/**
 * Benchmark (not a test): runs every lesson scenario N times (default 100) and prints, per scenario,
 * the outcome distribution (identical outcomes = deterministic), the mismatch count, and the median
 * and max wall time. Usage: java -cp lib/target/jars/tcplab.jar tools/stress/Bench.java [runs] (BENCH_ONLY=a,b for a subset)
 *
 * <p>BENCH_TABLE=path (make bench sets tools/stress/determinism.tsv) also writes the determinism table
 * that notebook prose cites with {@code <!-- claim: bench NAME -->} (notebooks/src/README-claims.md):
 * one row per run name (run, runs, identical, outcome = the most frequent outcome, others, kernel).
 * Rows of runs not run this time (BENCH_ONLY) are kept as they were.
 */
public class Bench {
  public static void main(String[] args) throws IOException {
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
    // 03's sweep, one point at a time (the C view): the controlled queues, and the lesson's own
    // uncontrolled race at pause 0 and 1 ms (1 ms is a mix: the row records it)
    all.put("resetOrPipe(unread/0ms/write)",
        () -> ResetOrPipe.once(ResetOrPipe.Control.UNREAD, 0, ResetOrPipe.FirstCall.WRITE));
    all.put("resetOrPipe(empty/0ms/write)",
        () -> ResetOrPipe.once(ResetOrPipe.Control.EMPTY, 0, ResetOrPipe.FirstCall.WRITE));
    all.put("resetOrPipe(natural/0ms/write)",
        () -> ResetOrPipe.once(ResetOrPipe.Control.NATURAL, 0, ResetOrPipe.FirstCall.WRITE));
    all.put("resetOrPipe(natural/1ms/write)",
        () -> ResetOrPipe.once(ResetOrPipe.Control.NATURAL, 1, ResetOrPipe.FirstCall.WRITE));
    // The network stories with a set control (on the layer this machine chooses): the outcome is
    // what the application saw, not the times.
    all.put("lostLastAck(2)", () -> {
      tech.tablesaw.api.Table t = tcplab.LastAck.lost(2).table();
      return t.name().replaceFirst("^\\[[^]]*\\] ", "") + ": " + count(t, "copy ") + " FIN copies, dropped "
          + lastResult(t, "nft counter") + ", " + (count(t, "server gone") == 1 ? "LAST_ACK ended" : "LAST_ACK stuck");
    });
    all.put("selectorCut(1)", () -> {
      tech.tablesaw.api.Table t = tcplab.NetworkCut.selector(1).table();
      return lastResult(t, "select() =") + " then read() " + lastResult(t, "read(buffer)");
    });
    all.put("selectorReboot(500)", () -> {
      tech.tablesaw.api.Table t = tcplab.HostReboot.selector(500).table();
      return lastResult(t, "select(3000 ms)").replaceFirst(", \\d+ ms after the write", "") + " then read() "
          + lastResult(t, "read(buffer)");
    });
    all.put("writesAreNotSegments(slow reader)", () -> {
      // the slow reader's read() count (set by the queue and the buffer); Nagle's segment count varies
      var s = tcplab.BufferedSend.writesAreNotSegments(100, 200, 1000);
      return "slow reader read() calls " + s.raw().get(2).readSizes().size() + "/"
          + s.raw().get(3).readSizes().size() + "; framing " + s.framing().stringColumn(2).get(1);
    });
    all.put("segmentsPer100Writes(varies)", () -> { // timing-dependent: a distribution
      var r = tcplab.BufferedSend.writesAreNotSegments(100, 0, 1000).raw();
      return "segments Nagle " + r.get(0).dataSegmentsOut() + ", NODELAY " + r.get(1).dataSegmentsOut();
    });
    all.put("forkedChild(inherit)", () -> tcplab.ForkedChild.serverKilled(false).outcome());
    all.put("forkedChild(cloexec)", () -> tcplab.ForkedChild.serverKilled(true).outcome());
    all.put("processBuilderChild", () -> tcplab.ForkedChild.processBuilder().stringColumn(3).get(1)
        .endsWith(": no socket") ? "child has no socket" : "child holds a socket");
    // notebook 07: the scenarios' C and Java views plus the poll() and epoll events after each step
    readiness(all, "readiness.peerCloses", Readiness::peerCloses);
    readiness(all, "readiness.peerResets", Readiness::peerResets);
    readiness(all, "readiness.halfClose", Readiness::halfClose);
    readiness(all, "readiness.peerCrashes", Readiness::peerCrashes);
    all.put("readiness.selector", () -> checked(Readiness.selector(2000),
        "readyOps (interest OP_READ)", "readyOps (interest OP_READ | OP_WRITE)", "poll() on the same fd",
        "read() =", "read() again ="));
    all.put("readiness.stdin(300ms)", () -> checked(Readiness.stdin(300, 3000), "check"));
    all.put("stoppedReceiver.neverReads", () -> zeroWindow(StoppedReceiver.neverReads(4096, 1500)));
    all.put("stoppedReceiver.paused", () -> zeroWindow(StoppedReceiver.paused(4096, 1500)));
    all.put("stoppedReceiver.whatEndsTheWait", () -> String.join(", ",
        StoppedReceiver.whatEndsTheWait(4096, 1000, 500, 500, 100).stringColumn("ended the wait?").asList()));
    String only = System.getenv("BENCH_ONLY"); // a comma-separated subset of the names, if set
    System.out.printf("%-30s %6s %10s %11s %9s %9s %9s%n", "run", "runs", "identical", "mismatches",
        "median", "max", "waits");
    String tablePath = System.getenv("BENCH_TABLE");
    Map<String, String> table = readTable(tablePath);
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
      String mostFrequent = outcomes.entrySet().stream().filter(o -> o.getValue() == top)
          .map(Map.Entry::getKey).findFirst().orElse("");
      StringBuilder others = new StringBuilder();
      outcomes.forEach((k, v) -> {
        if (!k.equals(mostFrequent)) {
          others.append(others.length() == 0 ? "" : " | ").append(v).append("x ").append(k);
        }
      });
      table.put(e.getKey(), String.join("\t", e.getKey(), String.valueOf(runs), String.valueOf(top),
          clean(mostFrequent), clean(others.toString()), kernel()));
      if (tablePath != null && !tablePath.isBlank()) {
        writeTable(tablePath, all.keySet(), table); // after every run name: a long bench leaves what it measured
      }
    }
  }

  private static final String TABLE_HEADER = "run\truns\tidentical\toutcome\tothers\tkernel";

  /** The rows of an existing determinism table by run name (none if there is no table). */
  private static Map<String, String> readTable(String path) throws IOException {
    Map<String, String> rows = new LinkedHashMap<>();
    if (path != null && !path.isBlank() && Files.exists(Path.of(path))) {
      for (String line : Files.readAllLines(Path.of(path))) {
        if (!line.isBlank() && !line.startsWith("#") && !line.equals(TABLE_HEADER)) {
          rows.put(line.split("\t", 2)[0], line);
        }
      }
    }
    return rows;
  }

  /** The table in Bench's order (names Bench no longer has are dropped), written atomically. */
  private static void writeTable(String path, Iterable<String> names, Map<String, String> rows)
      throws IOException {
    StringBuilder out = new StringBuilder("# written by tools/stress/Bench.java (make bench); "
        + "identical = runs that gave the most frequent outcome\n" + TABLE_HEADER + "\n");
    for (String name : names) {
      if (rows.containsKey(name)) {
        out.append(rows.get(name)).append('\n');
      }
    }
    Path target = Path.of(path);
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, out.toString());
    Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String clean(String s) {
    return s.replace('\t', ' ').replace('\n', ' ');
  }

  private static String kernel() {
    try {
      return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** The result of the last timeline row whose "what" starts with {@code what}, or "none". */
  private static String lastResult(tech.tablesaw.api.Table t, String what) {
    String r = "none";
    for (int i = 0; i < t.rowCount(); i++) {
      if (t.stringColumn("what").get(i).startsWith(what)) {
        r = t.stringColumn("result").get(i);
      }
    }
    return r;
  }

  /** How many timeline rows have a result containing {@code text}. */
  private static long count(tech.tablesaw.api.Table t, String text) {
    return t.stringColumn("result").asList().stream().filter(r -> r.contains(text)).count();
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

  /** A notebook-07 scenario: its outcome and its poll/epoll events, marked on any mismatch. */
  private static void readiness(Map<String, Supplier<String>> all, String name, Supplier<Scenario> s) {
    all.put(name, () -> {
      Result r = s.get().run();
      boolean bad = r.mismatches() > 0 || Readiness.pollMismatches(r) > 0
          || Readiness.epollDifferences(r) > 0;
      return (bad ? MISMATCH : "") + r.outcome() + " | poll " + r.pollEvents() + " | epoll " + r.epollEvents();
    });
  }

  /** A table's outcome: the given columns of every row, marked when a check column is not "as expected". */
  private static String checked(tech.tablesaw.api.Table t, String... columns) {
    StringBuilder b = new StringBuilder();
    boolean bad = false;
    for (int r = 0; r < t.rowCount(); r++) {
      for (String c : columns) {
        b.append(t.getString(r, c)).append("; ");
      }
      bad |= !t.getString(r, "check").equals("as expected");
      b.append("| ");
    }
    return (bad ? MISMATCH : "") + b;
  }

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
