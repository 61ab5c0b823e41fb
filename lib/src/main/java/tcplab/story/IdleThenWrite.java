package tcplab.story;

import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * Host reboot (06): idle connection; the server host crashes, reboots after 500 ms; the client
 * writes: the write succeeds (16), the next read gets "Connection reset" (the new kernel's RST),
 * the write after that "Broken pipe".
 */
public record IdleThenWrite() implements Story {
  // region story
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      Plays.idle(net, tl);
      Plays.crash(net, tl);
      Plays.sleepUntil(tl, 0.5);
      Plays.reboot(net, tl);
      tl.call("client", "write(16 bytes)", () -> Timeline.write(c.client(), Plays.DATA));
      tl.call("client", "read() (SO_TIMEOUT 3 s)", () -> Timeline.read(c.client(), 3000));
      tl.call("client", "write() again", () -> Timeline.write(c.client(), Plays.DATA));
      if (!net
          .realKernels()) { // the relay's kernel ACKed the bytes; the relay itself sends the RST
        Plays.differs(
            tl,
            "the client sees what it sees after a real reboot (the write succeeds, the read gets "
                + "Connection reset, the next write Broken pipe), but the RST comes from the relay after its kernel "
                + "ACKed the 16 bytes, not from a rebooted kernel that never saw them");
      }
      return tl.table("Crash + reboot: the client's write succeeds, then RST");
    }
  }
  // endregion
}
