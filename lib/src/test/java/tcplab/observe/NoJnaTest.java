package tcplab.observe;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.testing.NoJnaProbe;
import tcplab.testing.ProbeJvm;

@Timeout(10)
class NoJnaTest {
  @Test
  void degradesWithASentenceWhenJnaJarIsMissing() throws Exception {
    String out = ProbeJvm.run(ProbeJvm.ownClassesOnly(), NoJnaProbe.class.getName(), 8);
    assertTrue(out.contains("reason=not observable here: JNA could not load libc ("), out);
    assertTrue(out.contains("tcpinfo=false"), out);
    assertTrue(out.contains("proc=true"), out);
    // no packet socket without JNA: capture falls back to the external tools, or says why there is
    // none
    assertTrue(
        out.contains("capture=TCPDUMP: packets: yes, by tcpdump")
            || out.contains("capture=LAB_TOOL: ")
            || out.contains("capture=NONE: packets: no, JNA could not load libc"),
        out);
    System.out.println(out.trim());
  }
}
