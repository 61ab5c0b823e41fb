package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** Every story on real kernels in a child JVM, root of its own user namespace: rows stream back as they happen. */
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

  @AfterEach
  void noChildLeft() {
    assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "children left");
  }
}
