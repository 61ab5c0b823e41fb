package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.net.PrivateHost;
import tcplab.observe.Capture;
import tech.tablesaw.api.Table;

/**
 * Notebook 08 on Linux: a receiver that stops reading (paused or never reading) draws a zero window
 * and answered zero-window probes, and the writer blocks with no error until the deadline.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StoppedReceiverTest {

  /** The private host a test here started is stopped: later tests count this JVM's children. */
  @AfterAll
  static void stopThePrivateHost() {
    PrivateHost.stop();
  }

  private static void assumePackets() {
    Assumptions.assumeTrue(
        Capture.unavailableReason().isEmpty() || ScenarioHost.choice().equals("private"),
        "no packets here: " + Capture.status());
  }

  private static boolean anyResult(Table t, String part) {
    return t.stringColumn("result").asList().stream().anyMatch(r -> r.contains(part));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aProgramThatNeverReadsGetsAZeroWindowAndAnsweredProbes() {
    assumePackets();
    StoppedReceiver.Outcome o = StoppedReceiver.neverReads(4096, 2500);
    Map<String, String> f = o.facts();
    assertTrue(o.wire().hasPackets(), "packets: " + o.wire().note());
    assertFalse(f.get("zeroWindowAt").isEmpty(), "the receiver advertised a zero window: " + f);
    assertTrue(Integer.parseInt(f.get("probes")) >= 1, "zero-window probes on the wire: " + f);
    assertTrue(Integer.parseInt(f.get("probesAnswered")) >= 1, "a probe got a window-0 ACK: " + f);
    assertTrue(f.get("writer").startsWith("blocked"), "blocked, no error: " + f);
    assertEquals("zero_window_probe", f.get("timer"), "the persist timer runs: " + f);
    assertTrue(
        anyResult(o.wire().table(), "throws SocketException: Socket closed"),
        "only the lab's deadline (close) ended the write");
    assertFalse(o.checks().stringColumn("check").contains("MISMATCH"), o.checks().print());
    long accepted = Long.parseLong(f.get("accepted"));
    assertTrue(accepted > 4096 && accepted < 200_000, "both small buffers filled: " + accepted);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aPausedReceiverLosesNothingAfterSigcont() {
    assumePackets();
    StoppedReceiver.Outcome o = StoppedReceiver.paused(4096, 2000);
    Map<String, String> f = o.facts();
    assertTrue(anyResult(o.wire().table(), "process state T (stopped)"), "SIGSTOP stopped it");
    assertFalse(f.get("zeroWindowAt").isEmpty(), "zero window: " + f);
    assertTrue(Integer.parseInt(f.get("probes")) >= 1, "probes: " + f);
    assertTrue(f.get("writer").startsWith("blocked"), "blocked, no error: " + f);
    assertFalse(f.get("windowOpenedAt").isEmpty(), "SIGCONT: a window update: " + f);
    assertEquals(f.get("acceptedTotal"), f.get("readAfterCont"), "every accepted byte was read");
    assertEquals(5, o.checks().rowCount());
    assertFalse(o.checks().stringColumn("check").contains("MISMATCH"), o.checks().print());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void inThePrivateHostAStudentSeesTheProbesToo() {
    Assumptions.assumeTrue(PrivateHost.available(), "no private host here: " + PrivateHost.why());
    String old = System.getProperty(ScenarioHost.PROPERTY);
    System.setProperty(ScenarioHost.PROPERTY, "private");
    try {
      StoppedReceiver.Outcome o = StoppedReceiver.neverReads(4096, 1500);
      Map<String, String> f = o.facts();
      assertTrue(o.wire().hasPackets(), "packets in the private host: " + o.wire().note());
      assertFalse(f.get("zeroWindowAt").isEmpty(), "zero window: " + f);
      assertTrue(Integer.parseInt(f.get("probes")) >= 1, "probes: " + f);
      assertTrue(f.get("writer").startsWith("blocked"), "blocked, no error: " + f);
      assertTrue(o.writes().rowCount() > 3, "the writes table came back: " + o.writes().print());
    } finally {
      if (old == null) {
        System.clearProperty(ScenarioHost.PROPERTY);
      } else {
        System.setProperty(ScenarioHost.PROPERTY, old);
      }
    }
  }

  @Test
  void whatEndsTheWait() {
    Table t = StoppedReceiver.whatEndsTheWait(4096, 1500, 500, 500, 100);
    assertEquals(7, t.rowCount(), t.print());
    String[] saw = t.stringColumn("what the writer saw").asList().toArray(new String[0]);
    String[] ended = t.stringColumn("ended the wait?").asList().toArray(new String[0]);
    assertTrue(saw[0].startsWith("still blocked after"), saw[0]);
    assertTrue(ended[0].startsWith("no"), ended[0]);
    assertTrue(saw[1].contains("EAGAIN"), "SO_SNDTIMEO: " + saw[1]);
    assertTrue(saw[2].contains("poll() = 0"), "poll: " + saw[2]);
    assertTrue(
        saw[3].contains("Connection timed out"),
        "TCP_USER_TIMEOUT with answered probes: " + saw[3]);
    double ut = t.doubleColumn("ended after (s)").get(3);
    assertTrue(ut >= 0.5 && ut < 3.0, "user timeout 500 ms ended the write at " + ut + " s");
    assertTrue(ended[4].startsWith("yes"), "a paused receiver's heartbeat stops: " + saw[4]);
    assertTrue(ended[5].startsWith("no"), "a liveness heartbeat keeps coming: " + saw[5]);
    assertTrue(ended[6].startsWith("yes"), "a progress heartbeat notices: " + saw[6]);
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void aBadParameterIsOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> StoppedReceiver.neverReads(10, 1000));
    assertTrue(e.getMessage().contains("bufferBytes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> StoppedReceiver.paused(4096, 100_000));
    assertTrue(e.getMessage().contains("watchMillis"), e.getMessage());
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.SECONDS)
  void tcpdumpsWindowFieldIsRead() {
    Capture.Packet p =
        Capture.parse(
                "1796527243.970651 IP 127.0.0.1.36455 > 127.0.0.1.35222: Flags [.], ack 2724354636,"
                    + " win 0, options [nop,nop,TS val 1 ecr 2], length 0")
            .orElseThrow();
    assertEquals(0, p.window());
    Capture.Packet syn =
        Capture.parse(
                "1796527243.8 IP 127.0.0.1.35222 > 127.0.0.1.36455: Flags [S], seq 1, win 65495,"
                    + " options [mss 65495,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0")
            .orElseThrow();
    assertEquals(65495, syn.window());
    assertEquals(7, syn.wscale());
  }
}
