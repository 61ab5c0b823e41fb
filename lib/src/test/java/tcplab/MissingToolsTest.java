package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.testing.MissingToolsProbe;
import tcplab.testing.ProbeJvm;

/**
 * A machine without tcpdump, ip, nft, unshare and bash: every part says what is missing in one
 * sentence and goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MissingToolsTest {

  @Test
  void everyMissingToolIsNamedAndTheLabStillRuns() throws Exception {
    String out =
        ProbeJvm.run(
            System.getProperty("java.class.path"),
            MissingToolsProbe.class.getName(),
            50,
            "-Dtcplab.path=/nonexistent",
            "-Dtcplab.capture=tool"); // external tools only: the packet socket needs none
    assertTrue(out.contains("capture=no packet capture here: tcpdump is not installed"), out);
    assertTrue(out.contains("layer=RELAY"), out);
    assertTrue(out.contains("blockedRead=[relay stand-in"), out);
    assertTrue(
        out.contains(
            "bash=ResetOrPipe needs bash to play the dying peer, and no bash was found on the PATH."),
        out);
    assertTrue(
        out.contains(
            "wire=no packet capture here: tcpdump is not installed (apt-get install tcpdump) | mismatches=0"),
        out);
    assertTrue(out.contains("children=0"), out);
  }
}
