package tcplab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.net.PrivateHost;
import tech.tablesaw.api.Table;

/** The private host plays any job: here the real-kernel stories (two hosts in namespaces it creates inside its own). */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PrivateHostStoriesTest {
  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void aRealKernelStoryPlaysInThePrivateHostTwice() {
    Assumptions.assumeTrue(PrivateHost.available(), "no private host here: " + PrivateHost.why());
    Assumptions.assumeTrue(Layers.usernsReason().isEmpty(), "needs ip and nft: " + Layers.usernsReason());
    for (int i = 0; i < 2; i++) { // twice in the same host: the first left no namespace or rule behind
      Table t = NoFinMain.inPrivateHost("blockedRead", 60_000, "1000");
      assertTrue(t.name().startsWith(Layers.Layer.USERNS.label() + "No FIN: a blocked read"), t.name());
      assertTrue(t.toString().contains("Read timed out"), t.toString());
    }
  }
}
