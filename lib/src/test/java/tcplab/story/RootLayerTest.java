package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import tcplab.observe.Capture;

/**
 * Every story on real kernels in namespaces of this JVM (needs root), with packets when capture
 * works here.
 */
class RootLayerTest extends NetworkStoriesContract {
  @BeforeAll
  static void needsRoot() {
    String why = Layer.ROOT.unavailableReason();
    Assumptions.assumeTrue(why.isEmpty(), () -> "needs the root layer: " + why);
  }

  @Override
  protected Layer layer() {
    return Layer.ROOT;
  }

  @Override
  protected boolean packets() {
    return Capture.unavailableReason().isEmpty();
  }

  @AfterEach
  void nothingLeftBehind() throws IOException {
    String ours = "tcplab-" + ProcessHandle.current().pid() + "-";
    Path run = Path.of("/run/netns");
    try (Stream<Path> s = Files.exists(run) ? Files.list(run) : Stream.empty()) {
      assertEquals(
          List.of(),
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(ours)).toList());
    }
    long tcpdumps =
        ProcessHandle.current()
            .descendants()
            .filter(
                p ->
                    p.isAlive() && p.info().command().map(c -> c.endsWith("tcpdump")).orElse(false))
            .count();
    assertTrue(tcpdumps == 0, "no tcpdump child left");
  }
}
