package tcplab.observe;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.testing.Loopback;

@Timeout(10)
class ProcNetTcpTest {
  @Test
  void parsesV4AndV6Lines() {
    ProcNetTcp.Row v4 =
        ProcNetTcp.parse(
            "   3: 0100007F:A3F2 0100007F:1F90 01 00000000:00000005 00:00000000 "
                + "00000000  1000        0 123456 1 0000000000000000 20 4 30 10 -1");
    assertEquals(
        new ProcNetTcp.Row(
            "127.0.0.1", 0xA3F2, "127.0.0.1", 8080, "ESTABLISHED", 0, 5, "off", 0, 123456, 0),
        v4);
    ProcNetTcp.Row v6 =
        ProcNetTcp.parse(
            "   0: 0000000000000000FFFF00000100007F:9C40 "
                + "0000000000000000FFFF00000100007F:AD70 0A 00000010:00000000 04:00000031 0000000B     0"
                + "        0 0 2 0000000000000000");
    assertEquals("127.0.0.1", v6.local());
    assertEquals("LISTEN", v6.state());
    assertEquals(16, v6.sendQ());
    assertEquals("zero_window_probe", v6.timer());
    assertEquals(11, v6.retransmits());
    assertEquals("::1", ProcNetTcp.ip("00000000000000000000000001000000"));
    assertEquals("::", ProcNetTcp.ip("00000000000000000000000000000000"));
    assertNull(
        ProcNetTcp.parse("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when"));
  }

  @Test
  void seesLiveConnectionAndWaitsWithoutThrowing() throws Exception {
    assertTrue(ProcNetTcp.available());
    try (Loopback p = new Loopback()) {
      int cp = p.client.getLocalPort(), sp = p.server.getLocalPort();
      assertTrue(
          ProcNetTcp.awaitState(
              cp, sp, r -> r.state().equals("ESTABLISHED"), Duration.ofSeconds(2)));
      ProcNetTcp.Row r = ProcNetTcp.find(cp, sp).orElseThrow();
      assertEquals(sp, r.remotePort());
      assertTrue(r.inode() > 0);
      assertTrue(
          ProcNetTcp.rows().stream()
              .anyMatch(
                  x -> x.localPort() == p.listener.getLocalPort() && x.state().equals("LISTEN")));
      assertTrue(
          ProcNetTcp.rows("/proc/thread-self/net/").stream().anyMatch(x -> x.localPort() == cp));
      long t0 = System.nanoTime();
      assertFalse(ProcNetTcp.awaitState(cp, sp, x -> x.recvQ() == 99, Duration.ofMillis(100)));
      assertTrue((System.nanoTime() - t0) / 1_000_000 >= 100);
      p.server.close();
      assertTrue(
          ProcNetTcp.awaitState(
              cp, sp, x -> x.state().equals("CLOSE_WAIT"), Duration.ofSeconds(2)));
    }
  }
}
