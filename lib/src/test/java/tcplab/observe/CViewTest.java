package tcplab.observe;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.testing.Loopback;

@Timeout(10)
class CViewTest {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);

  @Test
  void usableHere() {
    assertEquals(Optional.empty(), CView.unavailableReason());
  }

  @Test
  void fdOfFindsClientAndAcceptedSocketAndWriteReachesJavaReader() throws Exception {
    try (Loopback p = new Loopback()) {
      int c = CView.fdOf(p.client), s = CView.fdOf(p.server);
      assertNotEquals(c, s);
      assertEquals(c, CView.fdOf(p.client), "cached");
      assertTrue(
          java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + c))
              .toString()
              .startsWith("socket:["));
      assertEquals("5", CView.write(c, HELLO).text());
      p.server.setSoTimeout(2000);
      InputStream in = p.server.getInputStream();
      assertArrayEquals(HELLO, in.readNBytes(5));
    }
  }

  @Test
  void fdOfSocketChannel() throws Exception {
    try (ServerSocket l = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        SocketChannel ch =
            SocketChannel.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), l.getLocalPort()))) {
      l.setSoTimeout(5000);
      try (var accepted = l.accept()) {
        int fd = CView.fdOf(ch);
        assertEquals("5", CView.write(fd, HELLO).text());
        CRead r = CView.recv(CView.fdOf(accepted), 16, 0, 2000);
        assertEquals("5 \"hello\"", r.text());
        ch.write(ByteBuffer.wrap(DATA));
        assertEquals("4", CView.recv(CView.fdOf(accepted), 16, 0, 2000).result().text());
      }
    }
  }

  @Test
  void peerLingerZeroCloseGivesResetThenEofThenBrokenPipe() throws Exception {
    try (Loopback p = new Loopback()) {
      int fd = CView.fdOf(p.client);
      p.server.setSoLinger(true, 0);
      p.server.close();
      assertEquals("-1 ECONNRESET (104)", CView.recv(fd, 100, 0, 2000).text());
      assertEquals("0", CView.recv(fd, 100, 0, 2000).text());
      assertEquals("-1 EPIPE (32)", CView.write(fd, DATA).text());
      assertEquals("-1 EPIPE (32)", CView.send(fd, DATA, CView.MSG_NOSIGNAL).text());
      assertTrue(Thread.currentThread().isAlive(), "the JVM survived SIGPIPE");
    }
  }

  @Test
  void peerOrderlyCloseGivesEofThenOneGoodWriteThenBrokenPipe() throws Exception {
    try (Loopback p = new Loopback()) {
      int fd = CView.fdOf(p.client);
      p.server.close();
      assertEquals("0", CView.recv(fd, 100, 0, 2000).text());
      assertEquals("4", CView.write(fd, DATA).text());
      assertEquals("-1 EPIPE (32)", CView.write(fd, DATA).text());
      assertEquals(0, CView.soError(fd), "the EPIPE was already delivered by write");
    }
  }

  @Test
  void crashCloseWithUnreadDataSendsReset() throws Exception {
    try (Loopback p = new Loopback()) {
      int c = CView.fdOf(p.client), s = CView.fdOf(p.server);
      assertEquals("5", CView.write(c, HELLO).text());
      assertTrue(
          ProcNetTcp.awaitState(
              p.server.getLocalPort(),
              p.server.getPort(),
              r -> r.recvQ() == 5,
              Duration.ofSeconds(2)));
      CView.crashClose(s);
      assertDoesNotThrow(() -> p.server.close(), "Java close after the crash closes /dev/null");
      assertEquals("-1 ECONNRESET (104)", CView.recv(c, 100, 0, 2000).text());
      assertEquals("-1 EPIPE (32)", CView.write(c, DATA).text());
      assertEquals("0", CView.recv(c, 100, 0, 2000).text());
    }
  }

  @Test
  void shutdownWriteSendsFinPeerSeesEof() throws Exception {
    try (Loopback p = new Loopback()) {
      int c = CView.fdOf(p.client), s = CView.fdOf(p.server);
      assertEquals("0", CView.shutdown(c, CView.SHUT_WR).text());
      assertEquals("0", CView.recv(s, 10, 0, 2000).text());
      assertEquals("-1 EPIPE (32)", CView.send(c, DATA, CView.MSG_NOSIGNAL).text());
      assertEquals("4", CView.write(s, DATA).text(), "half-close: the other direction still works");
      assertEquals("4 \"data\"", CView.recv(c, 10, 0, 2000).text());
    }
  }

  @Test
  void timedRecvOnSilentPeerReturnsEagainAfterTimeout() throws Exception {
    try (Loopback p = new Loopback()) {
      int fd = CView.fdOf(p.client);
      long t0 = System.nanoTime();
      CRead r = CView.recv(fd, 100, 0, 200);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals("-1 EAGAIN (11)", r.text());
      assertTrue(ms >= 190 && ms < 1500, "took " + ms + " ms");
      assertEquals("5", CView.write(fd, HELLO, 1000).text());
    }
  }

  @Test
  void closedSocketIsRejectedClearly() throws Exception {
    Loopback p = new Loopback();
    p.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CView.fdOf(p.client));
    assertTrue(e.getMessage().contains("connected"), e.getMessage());
  }

  @Test
  void errnoNames() {
    assertEquals("-1 ECONNRESET (104)", new CResult(-1, 104).text());
    assertEquals("5", new CResult(5, 0).text());
    assertEquals("E?999", new CResult(-1, 999).errnoName());
    assertFalse(new CResult(0, 0).failed());
    assertEquals("ETIMEDOUT", CResult.errnoName(110));
  }
}
