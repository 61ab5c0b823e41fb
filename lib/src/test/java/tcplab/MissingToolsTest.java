package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A machine without tcpdump, ip, nft, unshare and bash: every part says what is missing in one sentence and goes on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MissingToolsTest {

  @Test
  void everyMissingToolIsNamedAndTheLabStillRuns() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Dtcplab.path=/nonexistent", "-cp", System.getProperty("java.class.path"),
        "tcplab.MissingToolsProbe").redirectErrorStream(true).start();
    try {
      assertTrue(p.waitFor(50, TimeUnit.SECONDS), "the probe finished");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), out);
      assertTrue(out.contains("capture=no packet capture here: tcpdump is not installed"), out);
      assertTrue(out.contains("layer=RELAY"), out);
      assertTrue(out.contains("blockedRead=[relay stand-in"), out);
      assertTrue(out.contains("bash=ResetOrPipe needs bash to play the dying peer, and no bash was found on the PATH."), out);
      assertTrue(out.contains("wire=no packet capture here: tcpdump is not installed (apt-get install tcpdump) | mismatches=0"), out);
      assertTrue(out.contains("children=0"), out);
    } finally {
      p.destroyForcibly();
    }
  }
}
