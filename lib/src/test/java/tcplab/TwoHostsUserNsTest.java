package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

/** Sketch of the USERNS layer: a helper in a child JVM under unshare -rnm, its table streamed back as lines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoHostsUserNsTest {
  @Test
  void aHelperRunsInAChildJvmUnderUnshare() {
    TwoHosts.Privileges p = TwoHosts.probe();
    Assumptions.assumeTrue(p.userns().isEmpty(), () -> "needs user namespaces:\n" + p);
    Table t = NoFinMain.inUserNamespace("listensAgain");
    at(t, "Connection reset");
    at(t, "the server read 5 bytes \"hello\"");
    Table k = NoFinMain.inUserNamespace("readerWithoutKeepalive", 1000);
    near(1.0, at(k, "Read timed out") - k.row(1).getDouble(Timeline.T), "read timeout in the child", k);
  }

  @Test
  void tablesSurviveTheTripAsLines() {
    Table t = Table.create("x", tech.tablesaw.api.DoubleColumn.create("t (s)", 1.5, -0.25),
        tech.tablesaw.api.StringColumn.create("what", "a\tb", "c\\n"));
    Table back = NoFinMain.fromLines("x", NoFinMain.toLines(t));
    assertEquals(t.print(), back.print());
  }
}
