package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.engine.PeerProcess;
import tcplab.engine.Run;
import tcplab.net.PrivateHost;
import tcplab.observe.CView;
import tcplab.proc.ChildJvm;

/**
 * A Scenario built here plays in the private host (its own user + network namespace) and streams
 * its rows.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrivateHostTest {
  private static final String ENTRY = ScenarioHost.class.getName();

  @BeforeAll
  static void needsUserNamespaces() {
    Assumptions.assumeTrue(PrivateHost.available(), "no private host here: " + PrivateHost.why());
  }

  /**
   * Two passes of a scenario with a 400 ms pause in each: rows come while it runs, not all at the
   * end.
   */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void aScenarioBuiltInACellStreamsItsRowsAsTheyHappen() {
    Scenario s =
        Scenario.named("built in a cell")
            .client()
            .write("hello")
            .expect("5")
            .server()
            .awaitUnread(5)
            .server()
            .pause(400)
            .server()
            .read()
            .expect("5")
            .server()
            .close()
            .expect("0")
            .client()
            .read()
            .expect("0");
    List<Long> at = Collections.synchronizedList(new ArrayList<>());
    List<String> rows = Collections.synchronizedList(new ArrayList<>());
    String text =
        PrivateHost.play(
            ENTRY,
            s.toText(),
            row -> {
              at.add(System.nanoTime());
              rows.add(row);
            },
            ScenarioHost.deadline(s));
    long returned = System.nanoTime();
    Result there = ScenarioHost.decode(s, text);
    int passes = CView.unavailableReason().isEmpty() ? 2 : 1;
    assertEquals(passes * s.steps().size(), rows.size(), String.join("\n", rows));
    assertTrue(rows.get(0).contains("write(fd, \"hello\", 5)"), rows.get(0));
    long firstToEnd = (returned - at.get(0)) / 1_000_000;
    assertTrue(
        firstToEnd >= passes * 350L,
        "the first row came only " + firstToEnd + " ms before the play returned");
    long gap =
        (at.get(2) - at.get(1)) / 1_000_000; // the pause row comes ~400 ms after the row before it
    assertTrue(
        gap >= 350,
        "the pause row came " + gap + " ms after the previous row: rows were not streamed");
    assertEquals(0, there.mismatches(), there.calls().toString());
    Result here = Run.play(s);
    assertEquals(here.outcome(), there.outcome());
    assertEquals(
        here.calls().column("call (C terms)").asList(),
        there.calls().column("call (C terms)").asList());
    assertEquals(here.calls().column("check").asList(), there.calls().column("check").asList());
  }

  /**
   * A crashing peer runs inside the namespace too; the outcome equals this JVM's. The peers the
   * play used are gone after it (the host keeps at most two new ones warm), and stopping the host
   * leaves no process at all.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aCrashScenarioPlaysThereAndLeavesNoPeer() throws Exception {
    String before = System.getProperty(ScenarioHost.PROPERTY);
    System.setProperty(ScenarioHost.PROPERTY, "private");
    try {
      Lesson.crashWithUnreadData().run(); // the host runs and keeps its peers warm
      assertTrue(
          waitFor(30_000, () -> peers().size() == (CView.unavailableReason().isEmpty() ? 2 : 1)),
          "warm peers: " + peers());
      List<ProcessHandle> warm = peers();
      int starts = PrivateHost.starts();
      Result there = Lesson.crashWithUnreadData().run();
      assertEquals(starts, PrivateHost.starts(), "the same private host played it");
      assertEquals(0, there.mismatches(), there.calls().toString());
      assertEquals(Run.play(Lesson.crashWithUnreadData()).outcome(), there.outcome());
      // where user namespaces work, the private host captures: the ladder has the lesson's packets
      assertEquals(null, there.captureNote(), "no packets in the private host");
      List<String> flags = there.packets().stringColumn("flags").asList();
      assertTrue(
          flags.contains("SYN") && flags.contains("RST ACK") && !flags.contains("FIN ACK"),
          flags.toString());
      assertTrue(
          ScenarioHost.packets().startsWith("packets: yes, captured in the private host"),
          ScenarioHost.packets());
      assertTrue(
          waitFor(5_000, () -> warm.stream().noneMatch(ProcessHandle::isAlive)),
          "used peers left: " + warm);
      assertTrue(peers().size() <= 2, "more than the two warm peers: " + peers());
      PrivateHost.stop();
      assertTrue(
          waitFor(
              5_000, () -> ProcessHandle.current().descendants().noneMatch(ProcessHandle::isAlive)),
          "left after stop: "
              + ProcessHandle.current()
                  .descendants()
                  .map(PrivateHostTest::describe)
                  .collect(Collectors.toList()));
    } finally {
      restore(before);
    }
  }

  /**
   * Interrupting the caller kills the private host and everything in its namespaces; the next play
   * works.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void anInterruptKillsTheHostAndLeavesNothing() throws Exception {
    Scenario slow =
        Scenario.named("slow").client().write("x").server().pause(10_000).server().read();
    CountDownLatch firstRow = new CountDownLatch(1);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread caller =
        new Thread(
            () -> {
              try {
                PrivateHost.play(
                    ENTRY, slow.toText(), row -> firstRow.countDown(), ScenarioHost.deadline(slow));
              } catch (Throwable e) {
                thrown.set(e);
                flag.set(Thread.currentThread().isInterrupted());
              }
            },
            "private-host-caller");
    caller.start();
    assertTrue(firstRow.await(60, TimeUnit.SECONDS), "no row within 60 s");
    List<ProcessHandle> host = ProcessHandle.current().descendants().collect(Collectors.toList());
    String netns = netnsOf(host);
    assertTrue(netns != null, "the private host's network namespace is visible: " + host);
    long t0 = System.nanoTime();
    caller.interrupt();
    caller.join(10_000);
    assertFalse(caller.isAlive(), "the caller still waits after its interrupt");
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 6_000, "the interrupt took too long");
    assertTrue(
        thrown.get() instanceof IllegalStateException
            && thrown.get().getMessage().startsWith("interrupted"),
        String.valueOf(thrown.get()));
    assertEquals(Boolean.TRUE, flag.get(), "the interrupt flag stays set");
    assertHostGone(host, netns, 5_000);
    assertEquals(-1, PrivateHost.pid());
    assertFalse(
        ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "children left");
    int starts = PrivateHost.starts();
    Scenario quick =
        Scenario.named("quick").client().write("hi").expect("2").server().read().expect("2");
    Result r =
        ScenarioHost.decode(
            quick, PrivateHost.play(ENTRY, quick.toText(), row -> {}, Duration.ofSeconds(60)));
    assertEquals(0, r.mismatches(), r.calls().toString());
    assertEquals(starts + 1, PrivateHost.starts(), "the next play starts a fresh private host");
  }

  /**
   * Past its deadline, the play is killed and reported in one sentence; the next play starts
   * afresh.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aDeadlineKillsTheHost() {
    PrivateHost.play(
        ENTRY,
        Scenario.named("warm").client().write("w").toText(),
        row -> {},
        Duration.ofSeconds(60));
    Scenario slow = Scenario.named("slow").client().write("x").server().pause(10_000);
    long t0 = System.nanoTime();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> PrivateHost.play(ENTRY, slow.toText(), row -> {}, Duration.ofMillis(1_500)));
    long took = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(e.getMessage().contains("did not finish within the 1500 ms"), e.getMessage());
    // a busy machine stretches the deadline (Patience), but it still ends the play long before
    // the scenario's own 10 s pause would
    assertTrue(took < 9_000, "the deadline of 1500 ms ended the play after " + took + " ms");
    assertEquals(-1, PrivateHost.pid());
    assertFalse(
        ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive), "children left");
  }

  /**
   * A caller that dies mid-play by an Error (as a kernel's Thread.stop does with ThreadDeath) kills
   * the host: the rest of that play's lines can never reach the next play.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aCallerKilledMidPlayLeavesNoStaleLines() {
    Scenario slow =
        Scenario.named("slow").client().write("x").server().pause(2_000).server().read();
    assertThrows(
        ThreadDeath.class,
        () ->
            PrivateHost.play(
                ENTRY,
                slow.toText(),
                row -> {
                  throw new ThreadDeath();
                },
                Duration.ofSeconds(60)));
    assertEquals(-1, PrivateHost.pid(), "the host was killed");
    Scenario quick =
        Scenario.named("quick").client().write("hi").expect("2").server().read().expect("2");
    List<String> rows = Collections.synchronizedList(new ArrayList<>());
    Result r =
        ScenarioHost.decode(
            quick, PrivateHost.play(ENTRY, quick.toText(), rows::add, Duration.ofSeconds(60)));
    assertEquals(0, r.mismatches(), r.calls().toString());
    assertTrue(rows.stream().noneMatch(x -> x.contains("pause")), "a stale line: " + rows);
  }

  /** An exception in the private host comes back here with its message. */
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void anExceptionThereIsAnExceptionHere() {
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> PrivateHost.play(ENTRY, "nothing here", row -> {}, Duration.ofSeconds(60)));
    assertEquals("no scenario in the text: it has no name line.", bad.getMessage());
    IllegalStateException none =
        assertThrows(
            IllegalStateException.class,
            () -> PrivateHost.play("tcplab.NoSuchEntry", "", row -> {}, Duration.ofSeconds(60)));
    assertTrue(none.getMessage().contains("tcplab.NoSuchEntry"), none.getMessage());
    assertTrue(PrivateHost.pid() > 0, "an exception in a play does not end the private host");
  }

  /**
   * The kernel's JVM killed with SIGKILL: its private host and everything in its namespaces end
   * too.
   */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void aKilledKernelLeavesNothing() throws Exception {
    try (ChildJvm kernel = ChildJvm.start(PrivateHostKillProbe.class.getName())) {
      String line = kernel.await("PIDS", 90_000);
      List<ProcessHandle> host =
          Stream.of(line.substring(5).split(" "))
              .map(Long::parseLong)
              .map(ProcessHandle::of)
              .flatMap(o -> o.stream())
              .collect(Collectors.toList());
      assertTrue(host.size() >= 3, "unshare, the host JVM and a peer: " + line);
      String netns = netnsOf(host);
      assertTrue(netns != null, "the namespace is visible");
      assertEquals(137, kernel.kill(5_000));
      assertHostGone(host, netns, 15_000);
    }
  }

  /** The text forms: a scenario and a result come back equal. */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void scenarioAndResultSurviveTheirText() {
    Scenario s =
        Scenario.named("tab\there, line\nthere, back\\0slash")
            .stepDeadline(1234)
            .client()
            .write("a\tb\nc\\0")
            .expect("5")
            .server()
            .awaitState("CLOSE_WAIT")
            .server()
            .read(7);
    Scenario back = Scenario.fromText(s.toText());
    assertEquals(s.name(), back.name());
    assertEquals(s.steps(), back.steps());
    assertEquals(s.stepDeadlineMillis(), back.stepDeadlineMillis());
    Result r = Run.play(Lesson.writeAfterPeerClosed());
    Result again = ScenarioHost.decode(Lesson.writeAfterPeerClosed(), ScenarioHost.encode(r));
    assertEquals(r.calls().toString(), again.calls().toString());
    assertEquals(r.packets().toString(), again.packets().toString());
    assertEquals(r.ladder(false), again.ladder(false));
    assertEquals(r.wallMillis(), again.wallMillis());
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void aWrongHostIsOneSentence() {
    String before = System.getProperty(ScenarioHost.PROPERTY);
    System.setProperty(ScenarioHost.PROPERTY, "elsewhere");
    try {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, ScenarioHost::choice);
      assertEquals(
          "TCPLAB_HOST (or -Dtcplab.host) must be here or private; got \"elsewhere\".",
          e.getMessage());
    } finally {
      restore(before);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static void restore(String before) {
    if (before == null) {
      System.clearProperty(ScenarioHost.PROPERTY);
    } else {
      System.setProperty(ScenarioHost.PROPERTY, before);
    }
  }

  private static List<ProcessHandle> peers() {
    return ProcessHandle.current()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .arguments()
                    .map(a -> List.of(a).contains(PeerProcess.class.getName()))
                    .orElse(false))
        .collect(Collectors.toList());
  }

  private static String describe(ProcessHandle p) {
    return p.pid() + " " + p.info().commandLine().orElse("?");
  }

  /**
   * The network namespace of the first of {@code ps} that is not in ours (its /proc/pid/ns/net
   * link).
   */
  private static String netnsOf(List<ProcessHandle> ps) throws IOException {
    String own = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    for (ProcessHandle p : ps) {
      try {
        String ns = Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")).toString();
        if (!ns.equals(own)) {
          return ns;
        }
      } catch (IOException e) {
        // gone or not ours
      }
    }
    return null;
  }

  /** True while any process is in the network namespace {@code ns} ("net:[inode]"). */
  private static boolean netnsInUse(String ns) {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs
          .filter(p -> p.getFileName().toString().matches("\\d+"))
          .anyMatch(
              p -> {
                try {
                  return Files.readSymbolicLink(p.resolve("ns/net")).toString().equals(ns);
                } catch (IOException | RuntimeException e) {
                  return false;
                }
              });
    } catch (IOException e) {
      return true;
    }
  }

  /** Every process of the host ends within {@code millis} and its network namespace is released. */
  static void assertHostGone(List<ProcessHandle> host, String netns, int millis)
      throws InterruptedException {
    assertTrue(
        waitFor(millis, () -> host.stream().noneMatch(ProcessHandle::isAlive)),
        "still alive: "
            + host.stream()
                .filter(ProcessHandle::isAlive)
                .map(PrivateHostTest::describe)
                .collect(Collectors.toList()));
    assertTrue(
        waitFor(5_000, () -> !netnsInUse(netns)), "the namespace " + netns + " is still in use");
  }

  static boolean waitFor(int millis, java.util.function.BooleanSupplier ok)
      throws InterruptedException {
    long end = System.nanoTime() + millis * 1_000_000L;
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }
}
