package tcplab.story;

import tcplab.Check;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * What a Java NIO Selector sees after the server host reboots (06): the client's SocketChannel is
 * registered for OP_READ; the server host crashes (the selector reports nothing), reboots after
 * {@code downMillis}; the client writes 16 bytes, the new kernel answers RST: OP_READ is ready and
 * read() throws "Connection reset"; the next write "Broken pipe".
 */
public record SelectorReboot(int downMillis) implements Story {
  public SelectorReboot {
    Check.range("downMillis", downMillis, 0, 6_000, "ms");
  }

  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connectChannel();
      Timeline tl = stage.timeline(net, c);
      try (Selecting s = new Selecting(c.client().getChannel(), tl)) {
        Plays.crash(net, tl);
        int n = s.select(downMillis);
        tl.add(
            tl.now(),
            "client",
            "select(" + downMillis + " ms) while the host is down",
            n + " key(s): nothing ready");
        Plays.reboot(net, tl);
        tl.add(tl.now(), "client", "select(200 ms)", s.select(200) + " key(s): still nothing");
        double wrote = tl.now();
        tl.add(wrote, "client", "write(16 bytes)", s.write(Plays.DATA));
        n = s.select(3000);
        tl.add(
            tl.now(),
            "client",
            "select(3000 ms) = " + n,
            String.format("%s, %.0f ms after the write", s.ready(), (tl.now() - wrote) * 1000));
        tl.add(tl.now(), "client", "read(buffer)", s.read());
        tl.add(tl.now(), "client", "write() again", s.write(Plays.DATA));
        s.both();
      }
      if (!net.realKernels()) {
        Plays.differs(
            tl,
            "the selector sees what it sees after a real reboot (OP_READ, then Connection reset), "
                + "but the RST comes from the relay after its kernel ACKed the 16 bytes, not from a "
                + "rebooted kernel that never saw them");
      }
      return tl.table("A selector after the reboot: OP_READ, then Connection reset");
    }
  }
  // endregion
}
