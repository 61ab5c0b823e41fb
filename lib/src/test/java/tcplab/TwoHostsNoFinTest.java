package tcplab;

import tcplab.testing.NetnsTables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;
import static tcplab.testing.NetnsTables.result;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/** Lesson 17, no FIN: a network cut between two real kernels (expectations: the research's measurements). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoHostsNoFinTest {
  @BeforeAll
  static void root() {
    NetnsTables.assumeRoot();
  }

  @Test
  void blockedReadTimesOutAndTheConnectionStaysHalfOpen() {
    Table t = NoFin.blockedRead(1000);
    near(1.0, at(t, "Read timed out"), "SocketTimeoutException", t);
    result(t, "Read timed out", "ESTABLISHED", "ESTABLISHED");
  }

  @Test
  void retransmissionsRiseUntilTcpRetries2GivesUp() {
    Table t = NoFin.retransmitUntilTimeout(3);
    near(6.7, at(t, "Connection timed out"), "ETIMEDOUT with tcp_retries2=3", t);
    result(t, "Connection timed out", "CLOSED", "ESTABLISHED");
    assertTrue(t.print().contains("retransmits=4"), "the retransmission count rises to 4\n" + t.print());
    at(t, "-1 EPIPE (32)");
    at(t, "Broken pipe");
  }

  @Test
  void timeToDetectMatchesTheModel() {
    long start = System.nanoTime();
    Table t = NoFin.timeToDetect();
    double wall = (System.nanoTime() - start) / 1e9;
    assertEquals(7, t.rowCount(), t.print());
    double[] expected = {1.67, 3.33, 6.66, 1.44, 3.0, 1.0, 0.6}; // research A3d; heartbeat 0.5-0.7
    String[] saw = {"Connection timed out", "Connection timed out", "Connection timed out", "Connection timed out",
        "Connection timed out", "Read timed out", "no pong"};
    for (int i = 0; i < expected.length; i++) {
      Row r = t.row(i);
      near(expected[i], r.getDouble("measured (s)"), r.getString("mechanism") + " " + r.getString("setting"), t);
      near(r.getDouble("model (s)"), r.getDouble("measured (s)"), "model of " + r.getString("mechanism"), t);
      assertTrue(r.getString("the application saw").contains(saw[i]), t.print());
    }
    assertTrue(t.row(5).getString("afterwards").startsWith("client ESTABLISHED"), "SO_TIMEOUT closes nothing");
    assertTrue(wall < 15, "the mechanisms run in parallel: " + wall + " s");
  }

  @Test
  void aShortOutageLosesNothing() {
    Table t = NoFin.shortOutageLosesNothing(500);
    double got = at(t, "bytes \"abc\"");
    assertTrue(got > 0.5 && got < 1.2, "abc arrives at the first retransmission after the heal (~0.84 s): " + got
        + "\n" + t.print());
  }
}
