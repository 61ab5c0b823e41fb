package tcplab;

import tcplab.testing.NetnsTables;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;
import static tcplab.testing.NetnsTables.result;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

/** Lesson 17, host crash + reboot: no FIN, then an RST from a kernel that forgot the connection. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoHostsRebootTest {
  @BeforeAll
  static void root() {
    NetnsTables.assumeRoot();
  }

  @Test
  void idleConnectionWriteSucceedsThenResetThenBrokenPipe() {
    Table t = Reboot.idleThenWrite();
    double write = at(t, "16 bytes"), reset = at(t, "Connection reset");
    assertTrue(reset - write < 0.5, "the RST answers the write at once\n" + t.print());
    assertTrue(at(t, "Broken pipe") >= reset);
  }

  @Test
  void unackedDataTheNextRetransmissionDrawsTheReset() {
    Table t = Reboot.unackedData(2000);
    double wrote = at(t, "16 bytes");
    near(3.35, at(t, "Connection reset") - wrote, "RST at the retransmission after the reboot", t);
    at(t, "Broken pipe");
  }

  @Test
  void aReaderWithoutKeepaliveNeverNotices() {
    Table t = Reboot.readerWithoutKeepalive(1500);
    result(t, "Read timed out", "ESTABLISHED", "CLOSED");
    double readStart = t.row(1).getDouble(Timeline.T); // the reboot, just before the read
    near(1.5, at(t, "Read timed out") - readStart, "read timeout", t);
  }

  @Test
  void aReaderWithKeepaliveNoticesAtTheFirstProbe() {
    Table t = Reboot.readerWithKeepalive();
    double reset = at(t, "Connection reset");
    assertTrue(reset > 0.5 && reset < 1.5, "the first keepalive probe (1 s after connecting) gets the RST: " + reset
        + "\n" + t.print());
  }

  @Test
  void theRebootedHostListensAgainOldConnectionResetNewOneWorks() {
    Table t = Reboot.listensAgain();
    at(t, "Connection reset");
    at(t, "the server read 5 bytes \"hello\"");
  }
}
