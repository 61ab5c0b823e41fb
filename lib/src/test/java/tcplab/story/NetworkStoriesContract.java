package tcplab.story;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static tcplab.testing.NetnsTables.at;
import static tcplab.testing.NetnsTables.near;
import static tcplab.testing.NetnsTables.packet;
import static tcplab.testing.NetnsTables.result;
import static tcplab.testing.NetnsTables.row;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.Wire;
import tcplab.net.Timeline;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * The network stories of notebooks 05 and 06, one test per story, played on the layer a subclass
 * names (one tiny subclass per layer). Where a layer legitimately differs, a hook says so: {@link
 * #realKernels()} (the relay's kernel ACKs, so kernel timeouts never fire and its tables end with
 * "what differs") and {@link #packets()}. Parameters are small (tcp_retries2=1, 1 s timeouts):
 * every story still takes real time.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class NetworkStoriesContract {
  /** The rows the last story streamed while it played. */
  protected final List<String> rows = new CopyOnWriteArrayList<>();

  protected abstract Layer layer();

  /** Real kernels (root or user namespace); false for the relay stand-in. */
  protected boolean realKernels() {
    return true;
  }

  /** True when this layer must capture packets here (a real-kernel layer may have them anyway). */
  protected boolean packets() {
    return false;
  }

  /**
   * Plays {@code s}; checks what every story shows on every layer: its label, its rows, the relay's
   * last row.
   */
  protected Wire play(Story s) {
    rows.clear();
    Wire w = layer().play(s, rows::add);
    Table t = w.table();
    assertTrue(t.name().startsWith(layer().label()), t.name());
    boolean timeline = t.columnNames().contains(Timeline.T);
    if (timeline) {
      assertEquals(
          t.rowCount(), rows.size(), "one streamed line per row: " + rows + "\n" + t.print());
    }
    if (timeline && !realKernels()) {
      assertEquals(
          "what differs from a real cut",
          t.row(t.rowCount() - 1).getString(Timeline.WHAT),
          t.print());
    } else if (timeline) {
      assertTrue(!t.print().contains("what differs"), t.print());
    }
    if (packets() && s.captures()) {
      assertTrue(w.hasPackets(), w.note());
      assertTrue(
          packet(w.packets(), 0, "client", "SYN", -1) >= 0,
          "the handshake\n" + w.packets().print());
    } else if (!realKernels()
        || !w.hasPackets()) { // no capture here: the note says why, the ladder shows the rows
      assertTrue(
          !w.hasPackets() && w.note() != null && w.svg().startsWith("<svg"),
          String.valueOf(w.note()));
    }
    return w;
  }

  @Test
  void blockedRead() {
    Table t = play(new BlockedRead(1000)).table();
    near(1.0, at(t, "Read timed out"), "SO_TIMEOUT", t);
    result(t, "Read timed out", "ESTABLISHED", "ESTABLISHED");
  }

  @Test
  void retransmitUntilTimeout() {
    Wire w = play(new RetransmitUntilTimeout(1));
    Table t = w.table();
    if (!realKernels()) { // nothing is retransmitted: the read ends at its bounded deadline
      assertTrue(t.name().contains("no retransmissions"), t.name());
      near(2.67, at(t, "Read timed out"), "the deadline: model 1.67 s + 1 s", t);
      at(t, "unacked=0");
      assertTrue(
          t.row(t.rowCount() - 1)
              .getString(Timeline.RESULT)
              .contains("Connection timed out after about 1."),
          t.print());
      return;
    }
    near(1.67, at(t, "Connection timed out"), "ETIMEDOUT with tcp_retries2=1", t);
    result(t, "Connection timed out", "CLOSED", "ESTABLISHED");
    at(t, "retransmits=1");
    at(t, "-1 EPIPE (32)");
    at(t, "Broken pipe");
    if (packets()) {
      Table p = w.packets();
      int first = packet(p, 0, "client", "PSH", 16);
      assertTrue(
          first >= 0 && packet(p, first + 1, "client", "", 16) > first,
          "16 bytes sent and retransmitted\n" + p.print());
      assertEquals(-1, packet(p, 0, "server", "RST", -1), "no RST from the server\n" + p.print());
      assertEquals(-1, packet(p, 0, "server", "FIN", -1), "no FIN from the server\n" + p.print());
    }
  }

  @Test
  void timeToDetect() {
    long start = System.nanoTime();
    Table t = play(new TimeToDetect(new int[] {1}, 500, 500)).table();
    double wall = (System.nanoTime() - start) / 1e9;
    assertEquals(realKernels() ? 5 : 6, t.rowCount(), t.print());
    double[] expected = {
      1.67, 0.9, 3.0, 0.5, 0.6
    }; // retries2=1, TCP_USER_TIMEOUT 500 ms, keepalive 1/1/2, ...
    String[] saw = {
      "Connection timed out",
      "Connection timed out",
      "Connection timed out",
      "Read timed out",
      "no pong"
    };
    for (int i = 0; i < expected.length; i++) {
      Row r = t.row(i);
      if (!realKernels() && i < 3) { // the relay's kernel ACKs and answers the probes
        assertTrue(
            r.getString("the application saw").startsWith("never (the relay's kernel"), t.print());
        assertTrue(Double.isNaN(r.getDouble("measured (s)")), t.print());
        continue;
      }
      double measured = r.getDouble("measured (s)");
      if (i == 4) { // the heartbeat: t=0 is the start of the cut, which takes effect during the nft
        // call
        assertTrue(measured > 0.45 && measured < 1.3, "heartbeat " + measured + "\n" + t.print());
      } else {
        near(expected[i], measured, r.getString("mechanism"), t);
        near(r.getDouble("model (s)"), measured, "model of " + r.getString("mechanism"), t);
      }
      assertTrue(r.getString("the application saw").contains(saw[i]), t.print());
    }
    assertTrue(
        t.row(3).getString("afterwards").startsWith("client ESTABLISHED"),
        "SO_TIMEOUT closes nothing");
    if (!realKernels()) {
      assertTrue(
          t.row(5)
              .getString("the application saw")
              .contains("only SO_TIMEOUT and the heartbeat fire"),
          t.print());
    }
    assertTrue(wall < 15, "the mechanisms run in parallel: " + wall + " s");
  }

  @Test
  void shortOutage() {
    Table t = play(new ShortOutage(500)).table();
    double got = at(t, "bytes \"abc\"");
    // real kernels: at the first retransmission after the heal (~0.84 s); the relay: at the heal
    assertTrue(
        got >= 0.45 && got < 1.2, "abc arrives intact after the heal: " + got + "\n" + t.print());
  }

  @Test
  void idleThenWrite() {
    Wire w = play(new IdleThenWrite());
    Table t = w.table();
    double write = at(t, "16 bytes"), reset = at(t, "Connection reset");
    assertTrue(reset - write < 0.5, "the RST answers the write at once\n" + t.print());
    assertTrue(at(t, "Broken pipe") >= reset, t.print());
    if (packets()) {
      int data = packet(w.packets(), 0, "client", "", 16);
      assertTrue(
          data >= 0 && packet(w.packets(), data + 1, "server", "RST", -1) > data,
          "an RST from the rebooted server after the client's 16 bytes\n" + w.packets().print());
    }
  }

  @Test
  void unackedData() {
    Table t = play(new UnackedData(1000)).table();
    double wrote = at(t, "16 bytes");
    // real kernels: the retransmission after the reboot (0.2, 0.4, 0.8, 1.6 s); the relay resets at
    // the reboot
    near(realKernels() ? 1.65 : 1.0, at(t, "Connection reset") - wrote, "RST after the reboot", t);
    at(t, "Broken pipe");
  }

  @Test
  void readerWithoutKeepalive() {
    Table t = play(new ReaderWithoutKeepalive(1000)).table();
    result(t, "Read timed out", "ESTABLISHED", "CLOSED");
    near(1.0, at(t, "Read timed out") - t.row(1).getDouble(Timeline.T), "read timeout", t);
  }

  @Test
  void readerWithKeepalive() {
    Table t = play(new ReaderWithKeepalive()).table();
    if (!realKernels()) { // the relay's kernel answers every probe
      double never = at(t, "never (the relay's kernel answers the probes)");
      assertTrue(never > 2.5 && never < 4, "bounded by the 3 s deadline\n" + t.print());
      return;
    }
    double reset = at(t, "Connection reset"), reboot = t.row(1).getDouble(Timeline.T);
    // the first probe 1 s after connecting, or, when the reboot came later (a slow machine), the
    // next one
    assertTrue(
        reset > 0.5 && reset < Math.max(1.0, reboot) + 1.5,
        "the first keepalive probe after the reboot "
            + "gets the RST: "
            + reset
            + "\n"
            + t.print());
  }

  @Test
  void listensAgain() {
    Table t = play(new ListensAgain()).table();
    at(t, "Connection reset");
    at(t, "the server read 5 bytes \"hello\"");
  }

  @Test
  void healInWindow() {
    Table t = play(new HealInWindow(2)).table();
    assertTrue(
        at(t, "bytes \"abc\"") < 2.2,
        "abc arrives by the last retransmission (1.6 s)\n" + t.print());
    at(t, "bytes \"def\"");
    result(t, "bytes \"def\"", "ESTABLISHED", "ESTABLISHED");
  }

  @Test
  void lostLastAck() {
    Wire w = play(new LostLastAck(2));
    Table t = w.table();
    if (!realKernels()) { // nothing can be dropped: an orderly close
      at(t, "pure Java cannot drop one packet of a kernel");
      assertTrue(t.name().contains("not lost here"), t.name());
      at(t, "server gone");
      return;
    }
    at(t, "the next 2 dropped");
    assertEquals("2", t.row(t.rowCount() - 2).getString(Timeline.RESULT), "dropped\n" + t.print());
    double first = at(t, "copy 2,"), second = at(t, "copy 3,");
    assertTrue(first > 0.15 && first < 0.6, "the first copy after about one RTO\n" + t.print());
    assertTrue(second - first > 0.15, "the next copy later again\n" + t.print());
    double gone = at(t, "server gone");
    assertTrue(gone > first, "LAST_ACK ends with the last copy\n" + t.print());
    int closed = t.stringColumn(Timeline.WHAT).indexOf("close(): FIN");
    assertEquals(
        "LAST_ACK", t.row(closed).getString(Timeline.SERVER), "server after close()\n" + t.print());
    assertTrue(row(t, "server gone").getString(Timeline.CLIENT).startsWith("TIME_WAIT"), t.print());
    if (packets()) {
      Table p = w.packets();
      int fin = packet(p, 0, "server", "FIN", -1);
      int again = packet(p, fin + 1, "server", "FIN", -1);
      int third = packet(p, again + 1, "server", "FIN", -1);
      assertTrue(
          fin >= 0 && again > fin && third > again, "three FINs from the server\n" + p.print());
      assertTrue(
          packet(p, third + 1, "client", "ACK", -1) > third,
          "the client's ACK after the last FIN gets through\n" + p.print());
    }
  }

  @Test
  void selectorCut() {
    Wire w = play(new SelectorCut(1));
    Table t = w.table();
    at(t, "interest OP_READ");
    double wrote = at(t, "16 (all of it");
    if (!realKernels()) { // nothing is retransmitted: never ready, bounded by the deadline
      double never = at(t, "never ready: readyOps = none");
      assertTrue(never - wrote > 2.0 && never < 4.0, "the bounded deadline\n" + t.print());
      at(t, "0 (nothing to read, no error)");
      assertTrue(t.name().contains("never ready"), t.name());
      return;
    }
    at(t, "nothing ready; TCP_INFO retransmits=1");
    double ready = at(t, "readyOps = OP_READ");
    near(1.67, ready, "OP_READ when tcp_retries2=1 gives up", t);
    double timedOut = at(t, "Connection timed out");
    assertTrue(timedOut - ready < 0.5, "read() right after the select\n" + t.print());
    result(t, "Connection timed out", "CLOSED", "ESTABLISHED");
    at(t, "readyOps = OP_READ|OP_WRITE");
  }

  @Test
  void selectorReboot() {
    Table t = play(new SelectorReboot(500)).table();
    at(t, "0 key(s): nothing ready");
    at(t, "0 key(s): still nothing");
    double wrote = at(t, "16 (all of it"), ready = at(t, "readyOps = OP_READ,");
    assertTrue(ready - wrote < 0.5, "the RST answers the write at once\n" + t.print());
    assertTrue(at(t, "Connection reset") >= ready, t.print());
    at(t, "Broken pipe");
  }
}
