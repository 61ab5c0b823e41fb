package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * Every story on the relay stand-in (runs on every machine): honest labels, bounded "never",
 * nothing leaked.
 */
class RelayLayerTest extends NetworkStoriesContract {
  private long fdsBefore;
  private int threads;

  @BeforeAll
  static void warmUp() {
    Layer.RELAY.play(
        new BlockedRead(100), null); // classes and jars (JNA) opened once are not leaks
  }

  @Override
  protected Layer layer() {
    return Layer.RELAY;
  }

  @Override
  protected boolean realKernels() {
    return false;
  }

  private static long fds() {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    } catch (IOException e) {
      return -1;
    }
  }

  @BeforeEach
  void count() {
    fdsBefore = fds();
    threads = Thread.activeCount();
  }

  @AfterEach
  void nothingLeftBehind(TestInfo info) throws InterruptedException {
    long end =
        System.nanoTime() + 3_000_000_000L; // readers end at their SO_TIMEOUT, pumps at close
    while (System.nanoTime() < end
        && (Thread.activeCount() > threads + 2 || fds() > fdsBefore + 2)) {
      Thread.sleep(50);
    }
    assertTrue(
        Thread.activeCount() <= threads + 2,
        info.getDisplayName()
            + " threads: "
            + threads
            + " before, "
            + Thread.activeCount()
            + " after");
    assertTrue(
        fds() <= fdsBefore + 2,
        info.getDisplayName() + " fds: " + fdsBefore + " before, " + fds() + " after");
    assertTrue(
        ProcessHandle.current().children().noneMatch(ProcessHandle::isAlive), "no child process");
  }
}
