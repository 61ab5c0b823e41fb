package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

/** Lesson claim 1: write() succeeds for bytes the peer never read. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BufferedSendTest {

  @Test
  void writesSucceedForBytesThePeerNeverRead() {
    BufferedSend.Result r = BufferedSend.run(4096, 4096, 4096, 2000);
    Table w = r.writes();
    int last = w.rowCount() - 1;
    assertTrue(r.acceptedBytes() > 4096, "more than one write was accepted: " + r.acceptedBytes());
    assertEquals(0, r.peerReadBytes());
    assertTrue(r.stoppedBecause().contains("would block"), r.stoppedBecause());
    assertEquals("4096", w.stringColumn(2).get(0), "C: the first send() returns the full count");
    assertEquals("-1 EAGAIN (11): would block", w.stringColumn(2).get(last));
    assertEquals(
        "0: would block", w.stringColumn(3).get(last), "Java's non-blocking write returns 0");
    // small buffers: a few KB fit (oracle: 9,221 bytes with 4 KiB buffers), never megabytes
    assertTrue(r.acceptedBytes() < 200_000, "accepted " + r.acceptedBytes());
  }

  @Test
  void theSenderSeesKernelAcksButNotTheApplication() {
    BufferedSend.Result r = BufferedSend.run(16384, 16384, 16384, 2000);
    Table k = r.knowledge();
    long accepted = Long.parseLong(k.stringColumn("bytes").get(0));
    long sendQ = Long.parseLong(k.stringColumn("bytes").get(1));
    long acked = Long.parseLong(k.stringColumn("bytes").get(3));
    long recvQ = Long.parseLong(k.stringColumn("bytes").get(4));
    assertEquals(accepted, sendQ + acked, "every accepted byte is either still queued or ACKed");
    assertEquals(acked, recvQ, "everything ACKed is waiting unread in the receiver's kernel");
    assertEquals("0", k.stringColumn("bytes").get(5));
  }

  @Test
  void badParametersNameTheParameterAndRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BufferedSend.run(-5, 0, 0, 1000));
    assertEquals("chunkBytes must be between 1 and 16777216 bytes; got -5.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BufferedSend.run(10, 0, 0, 0));
    assertTrue(
        e.getMessage().startsWith("deadlineMillis must be between 1 and 30000"), e.getMessage());
  }
}
