package tcplab.observe;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.testing.Loopback;

@Timeout(10)
class TcpInfoTest {
  @Test
  void bufferedSendIsAckedButUnread() throws Exception {
    try (Loopback p = new Loopback()) {
      int c = CView.fdOf(p.client), s = CView.fdOf(p.server);
      int cp = p.client.getLocalPort(), sp = p.server.getLocalPort();
      assertEquals("5", CView.write(c, "hello".getBytes(StandardCharsets.US_ASCII)).text());
      assertTrue(
          ProcNetTcp.awaitState(sp, cp, r -> r.recvQ() == 5, Duration.ofSeconds(2)),
          "peer Recv-Q=5");
      assertTrue(
          ProcNetTcp.awaitState(cp, sp, r -> r.sendQ() == 0, Duration.ofSeconds(2)),
          "our Send-Q=0");
      assertEquals(0, TcpInfo.outq(c));
      assertEquals(0, TcpInfo.outqNotSent(c));
      assertEquals(5, TcpInfo.inq(s));
      assertEquals(0, TcpInfo.inq(c));
      ProcNetTcp.Row sender = ProcNetTcp.find(cp, sp).orElseThrow();
      ProcNetTcp.Row receiver = ProcNetTcp.find(sp, cp).orElseThrow();
      assertEquals(TcpInfo.outq(c), sender.sendQ());
      assertEquals(TcpInfo.inq(s), receiver.recvQ());
      assertEquals("ESTABLISHED", sender.state());
      assertEquals("127.0.0.1", sender.local());
      assertEquals("127.0.0.1", sender.remote());

      TcpInfo ti = TcpInfo.of(c).orElseThrow();
      assertEquals("ESTABLISHED", ti.stateName());
      assertEquals(0, ti.unacked());
      assertEquals(0, ti.notsentBytes());
      assertEquals(5, ti.bytesSent());
      assertTrue(ti.bytesAcked() >= 5, ti.text());
      assertTrue(ti.rtoMicros() >= 200_000, ti.text());
      assertTrue(ti.sndWnd() > 0, ti.text());
      System.out.println("sender  " + ti.text());
      System.out.println("receiver " + TcpInfo.of(s).orElseThrow().text());
      System.out.println(sender.text() + "\n" + receiver.text());
    }
  }

  @Test
  void userTimeoutCanBeSet() throws Exception {
    try (Loopback p = new Loopback()) {
      assertEquals("0", TcpInfo.setUserTimeout(CView.fdOf(p.client), 1000).text());
      assertEquals("-1 EBADF (9)", TcpInfo.setUserTimeout(-1, 1000).text());
      assertEquals(-1, TcpInfo.outq(-1));
    }
  }
}
