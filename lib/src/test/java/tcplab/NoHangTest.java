package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.draw.Html;

/**
 * No cell can hang a classroom: a peer that never reads or never closes ends in a deadline,
 * reported as an outcome.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NoHangTest {

  private static Scenario floodAPeerThatNeverReads() {
    Scenario s = Scenario.named("a peer that never reads").stepDeadline(300);
    for (int i = 0; i < 12; i++) {
      s.client().write(1 << 20);
    }
    return s.client().read();
  }

  @Test
  void aWriteThatWouldBlockForeverEndsAtTheDeadline() {
    long t0 = System.nanoTime();
    Result r = floodAPeerThatNeverReads().run();
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(
        r.cViews().stream().anyMatch(v -> v.startsWith("blocked, timed out after 300 ms")),
        r.cViews().toString());
    assertTrue(
        r.javaViews().stream().anyMatch(v -> v.startsWith("blocked, timed out after 300 ms")),
        r.javaViews().toString());
    assertEquals("not run: an earlier call blocked", r.javaViews().get(r.javaViews().size() - 1));
    assertTrue(seconds < 10, "took " + seconds + " s");
  }

  @Test
  void aPeerThatNeverClosesEndsTheReadAtTheDeadline() {
    Result r =
        Scenario.named("a peer that never closes")
            .stepDeadline(250)
            .server()
            .write("partial")
            .client()
            .read()
            .expect("7")
            .client()
            .read()
            .expect("-1 EAGAIN")
            .run();
    assertEquals(0, r.mismatches(), Html.text(r.calls()));
    assertEquals("SocketTimeoutException: Read timed out after 250 ms", r.javaViews().get(2));
  }

  @Test
  void aBufferedSendToAPeerThatNeverReadsStopsAtItsDeadline() {
    long t0 = System.nanoTime();
    BufferedSend.Result r =
        BufferedSend.run(1, 0, 0, 200); // 1-byte writes never fill 4 MB within 200 ms
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(
        r.stoppedBecause().contains("deadline")
            || r.stoppedBecause().contains("writes without blocking"),
        r.stoppedBecause());
    assertTrue(seconds < 5, "took " + seconds + " s");
  }
}
