package tcplab.story;

import jdk.net.ExtendedSocketOptions;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * Host reboot (06): a reader with keepalive 1/1/2: the first probe meets the rebooted kernel and
 * gets "Connection reset". On the relay its kernel answers every probe: the read ends at a 3 s
 * deadline and the table says so.
 */
public record ReaderWithKeepalive() implements Story {
  private static final int IDLE = 1;

  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c =
          net.connect(
              s -> {
                s.setKeepAlive(true);
                s.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, IDLE);
                s.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 1);
                s.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 2);
              });
      Timeline tl = stage.timeline(net, c);
      double sinceConnect = tl.now();
      Plays.crash(net, tl);
      Plays.reboot(net, tl);
      double firstProbe = IDLE - sinceConnect;
      if (net.realKernels()) {
        tl.add(
            tl.now(),
            "client",
            "read() with SO_TIMEOUT=5000 ms, keepalive idle 1 s, interval 1 s, count 2",
            String.format(
                "model: the first probe, %d s after the last traffic (t=%.2f s), draws the RST",
                IDLE, firstProbe),
            false);
        String r = Timeline.read(c.client(), 5000);
        tl.add(tl.now(), "client", "the read() returns", r);
        return tl.table("Crash + reboot, a reader with keepalive notices at the first probe");
      }
      // the relay's kernel answers every probe: keepalive never fires, so the read needs a deadline
      int deadline = 3000;
      tl.add(
          tl.now(),
          "client",
          "read() with SO_TIMEOUT="
              + deadline
              + " ms, keepalive idle 1 s, interval 1 s, "
              + "count 2",
          "",
          false);
      String got = Timeline.read(c.client(), deadline);
      tl.add(
          tl.now(),
          "client",
          "the read() returns",
          "never (the relay's kernel answers the probes): " + got);
      Plays.differs(
          tl,
          String.format(
              "with a real reboot the first keepalive probe (t=%.2f s) meets the new "
                  + "kernel and the read fails with Connection reset; here the relay's kernel answers every probe, so "
                  + "keepalive never fires and only SO_TIMEOUT ends the read",
              firstProbe));
      return tl.table("Crash + reboot, a reader with keepalive: the relay answers the probes");
    }
  }
}
