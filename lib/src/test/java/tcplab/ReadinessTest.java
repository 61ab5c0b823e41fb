package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Html;
import tcplab.engine.Run;
import tcplab.engine.SelectorRun;
import tcplab.net.PrivateHost;
import tcplab.observe.CView;

/**
 * Notebook 07: the Linux poll() events after each step of FIN, RST, half-close and a crash; epoll
 * reports the same; a NIO selector's readyOps and reads; the lesson's stdin question.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReadinessTest {

  /** The private host a test here started is stopped: later tests count this JVM's children. */
  @AfterAll
  static void stopThePrivateHost() {
    PrivateHost.stop();
  }

  @BeforeAll
  static void needsTheCView() {
    Assumptions.assumeTrue(
        CView.unavailableReason().isEmpty(), CView.unavailableReason().orElse(""));
  }

  private static Result play(Scenario s) {
    Result r = Run.play(s);
    assertEquals(0, r.mismatches(), () -> Html.text(r.calls()));
    assertEquals(0, Readiness.pollMismatches(r), () -> Html.text(Readiness.poll(r)));
    return r;
  }

  @Test
  void afterTheFinTheReaderIsReadableAndRdhupThenErrAfterTheRst() {
    Result r = play(Readiness.peerCloses());
    List<String> p = r.pollEvents();
    assertEquals("client IN OUT RDHUP · server closed", p.get(3)); // CLOSE_WAIT: IN|OUT|RDHUP
    assertEquals("client IN OUT ERR HUP RDHUP · server closed", p.get(6)); // RST drawn by write
    assertEquals("client IN OUT HUP RDHUP · server closed", p.get(7)); // EPIPE took the error
  }

  @Test
  void afterTheRstTheReaderHasErrHupAndTheReadTakesTheError() {
    Result r = play(Readiness.peerResets());
    assertEquals("client IN OUT ERR HUP RDHUP · server closed", r.pollEvents().get(3));
    assertEquals("client IN OUT HUP RDHUP · server closed", r.pollEvents().get(4));
  }

  @Test
  void halfCloseShowsRdhupOnTheReaderAndHupOnlyWhenBothDirectionsAreShut() {
    Result r = play(Readiness.halfClose());
    assertEquals("client OUT · server IN OUT RDHUP", r.pollEvents().get(1));
    assertEquals("client IN OUT HUP RDHUP · server closed", r.pollEvents().get(8));
  }

  @Test
  void aCrashedPeerProcessIsGoneAndItsPeerSeesTheRst() {
    Result r = play(Readiness.peerCrashes());
    assertEquals("client OUT · server IN OUT", r.pollEvents().get(1)); // asked in the peer process
    assertEquals("client IN OUT ERR HUP RDHUP · server process gone", r.pollEvents().get(3));
  }

  @Test
  void epollReportsTheSameAsPollOnFinRstAndHalfClose() {
    Result fin = play(Readiness.peerCloses());
    Result rst = play(Readiness.peerResets());
    Result half = play(Readiness.halfClose());
    assertEquals(
        0,
        Readiness.epollDifferences(fin, rst, half),
        () -> Html.text(Readiness.epoll(fin, rst, half)));
    assertEquals(fin.scenario().steps().size(), fin.pollEvents().size());
  }

  @Test
  void theCallsTableHasTheReadinessColumnAndTheTextFormKeepsIt() {
    Result r = play(Readiness.peerResets());
    assertEquals(r.pollEvents(), r.calls().stringColumn(Result.READY_COLUMN).asList());
    Result back = ScenarioHost.decode(r.scenario(), ScenarioHost.encode(r));
    assertEquals(r.pollEvents(), back.pollEvents());
    assertEquals(r.epollEvents(), back.epollEvents());
  }

  @Test
  void aSelectorReportsOnlyReadAndWriteAndTheReadSaysWhatHappened() throws Exception {
    for (SelectorRun.Ending e : SelectorRun.Ending.values()) {
      assertEquals(Readiness.expectedSelector(e), Readiness.selectorOutcome(e, 2_000), e.name());
    }
  }

  @Test
  void aClientPollingStdinAndTheSocketNoticesTheFinBeforeTheLine() throws Exception {
    String polled = Readiness.stdinOutcome(true, 600, 3_000);
    assertTrue(polled.startsWith("before the line: "), polled);
    assertTrue(polled.contains("socket IN RDHUP; read(socket) = 0"), polled);
    String blocked = Readiness.stdinOutcome(false, 600, 3_000);
    assertEquals(
        "after the line: read(stdin) = 6 \"hello\\n\"; write(socket) = 6; read(socket) = 0",
        blocked);
  }

  @Test
  void badParametersAreOneSentence() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Readiness.stdin(0, 1000));
    assertTrue(e.getMessage().contains("lineAfterMillis"), e.getMessage());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void inThePrivateHostTheCrashedPeerIsPolledThereToo() {
    Assumptions.assumeTrue(PrivateHost.available(), "no private host here: " + PrivateHost.why());
    Scenario s = Readiness.peerCrashes();
    String text =
        PrivateHost.play(
            ScenarioHost.class.getName(), s.toText(), row -> {}, ScenarioHost.deadline(s));
    Result there = ScenarioHost.decode(s, text);
    assertEquals(0, Readiness.pollMismatches(there), () -> Html.text(Readiness.poll(there)));
    assertEquals(0, Readiness.epollDifferences(there));
  }

  @Test
  void theSelectorAndStdinRunsLeaveNoDescriptorBehind() throws Exception {
    Readiness.selectorOutcome(SelectorRun.Ending.FIN, 2_000); // load classes and JNA first
    Readiness.stdinOutcome(true, 50, 2_000);
    long before = openFds();
    Readiness.selector(2_000);
    Readiness.stdin(50, 2_000);
    long after = openFds();
    assertTrue(Math.abs(after - before) <= 2, "fds before " + before + ", after " + after);
  }

  /**
   * The notebook's claim about a Java peer: Socket.close() with unread data sends FIN, then RST.
   */
  @Test
  void aJavaPeerClosingWithUnreadDataSendsFinThenRst() throws Exception {
    Assumptions.assumeTrue(
        tcplab.observe.Capture.unavailableReason().isEmpty(),
        tcplab.observe.Capture.unavailableReason().orElse(""));
    java.net.InetAddress lo = java.net.InetAddress.getLoopbackAddress();
    try (java.net.ServerSocket l = new java.net.ServerSocket(0, 1, lo);
        tcplab.observe.Capture cap = tcplab.observe.Capture.start("lo", l.getLocalPort());
        java.net.Socket client = new java.net.Socket()) {
      client.connect(new java.net.InetSocketAddress(lo, l.getLocalPort()), 2_000);
      l.setSoTimeout(2_000);
      java.net.Socket peer = l.accept();
      client.getOutputStream().write("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertTrue(
          Run.until(
              2_000,
              () ->
                  tcplab.observe.ProcNetTcp.find(l.getLocalPort(), client.getLocalPort())
                      .map(r -> r.recvQ() >= 3)
                      .orElse(false)));
      peer.close();
      assertTrue(
          Run.until(
              2_000,
              () ->
                  tcplab.observe.ProcNetTcp.find(client.getLocalPort(), l.getLocalPort())
                      .isEmpty()));
      Thread.sleep(100); // the capture reads what the kernel already sent
      List<String> fromPeer =
          cap.stop().stream()
              .filter(p -> p.srcPort() == l.getLocalPort())
              .map(tcplab.observe.Capture.Packet::flags)
              .filter(f -> f.contains("F") || f.contains("R"))
              .toList();
      assertEquals(2, fromPeer.size(), fromPeer::toString);
      assertTrue(
          fromPeer.get(0).contains("F") && fromPeer.get(1).contains("R"), fromPeer::toString);
    }
  }

  private static long openFds() throws java.io.IOException {
    try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
