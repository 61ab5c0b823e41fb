package tcplab;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BufferedSendTest {

  @Test
  void writesSucceedForBytesThePeerNeverRead() {
    BufferedSend.Result r = BufferedSend.run(4096, 4096, 4096, 2000);
    assertTrue(r.acceptedBytes() > 0, "some writes must have been accepted");
    assertEquals(0, r.peerReadBytes());
    assertTrue(r.stoppedBecause().contains("would block"), r.stoppedBecause());
    int last = r.writes().intColumn("returned").get(r.writes().rowCount() - 1);
    assertEquals(0, last, "the last write is the one that would block");
    // small buffers: a few KB fit (oracle: 9,221 bytes with 4 KiB buffers), never megabytes
    assertTrue(r.acceptedBytes() < 200_000, "accepted " + r.acceptedBytes());
  }

  @Test
  void badParametersNameTheParameterAndRange() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BufferedSend.run(-5, 0, 0, 1000));
    assertEquals("chunkBytes must be between 1 and 16777216 bytes; got -5.", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> BufferedSend.run(10, 0, 0, 0));
    assertTrue(e.getMessage().startsWith("deadlineMillis must be between 1 and 30000"), e.getMessage());
  }
}
