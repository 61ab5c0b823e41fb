package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tcplab.net.PrivateHost;

/**
 * Every story on real kernels in a child JVM, root of its own user namespace: rows stream back as
 * they happen.
 */
class UserNsLayerTest extends NetworkStoriesContract {
  @BeforeAll
  static void needsUserNamespaces() {
    String why = Layer.USERNS.unavailableReason();
    Assumptions.assumeTrue(why.isEmpty(), () -> "needs user namespaces: " + why);
  }

  @Override
  protected Layer layer() {
    return Layer.USERNS;
  }

  /**
   * The private host is root of its own namespaces: the packet socket captures there (no tcpdump
   * needed).
   */
  @Override
  protected boolean packets() {
    return true;
  }

  @AfterEach
  void noChildButThePrivateHost() {
    long host = PrivateHost.pid();
    assertEquals(
        0,
        ProcessHandle.current().children().filter(p -> p.isAlive() && p.pid() != host).count(),
        "children left besides the private host");
  }

  @AfterAll
  static void stopThePrivateHost() {
    PrivateHost.stop();
  }

  /**
   * The rows cross from the child as they happen, not with the result: the crash row long before
   * the end.
   */
  @Test
  void rowsComeBackAsTheyHappen() {
    List<Long> arrivals = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    Layer.USERNS.play(new ReaderWithoutKeepalive(2000), row -> arrivals.add(System.nanoTime()));
    long end = System.nanoTime();
    assertTrue(arrivals.size() >= 3, "rows: " + arrivals.size());
    assertTrue(
        end - arrivals.get(0) > 1_500_000_000L,
        "the crash row arrived "
            + (end - arrivals.get(0)) / 1e9
            + " s before the play returned (the read takes 2 s); the play took "
            + (end - start) / 1e9
            + " s");
  }
}
