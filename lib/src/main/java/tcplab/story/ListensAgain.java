package tcplab.story;

import java.net.ServerSocket;
import tcplab.net.Network;
import tcplab.net.Timeline;
import tech.tablesaw.api.Table;

/**
 * Host reboot (06): the rebooted host listens on the same port again: the old connection gets RST,
 * a new one works.
 */
public record ListensAgain() implements Story {
  @Override
  public Table play(Stage stage) {
    try (Network net = stage.open()) {
      Network.Link c = net.connect();
      Timeline tl = stage.timeline(net, c);
      Plays.crash(net, tl);
      Plays.reboot(net, tl);
      ServerSocket l = net.listenAgain(c);
      tl.add(
          tl.now(),
          "server host",
          "the service starts again: listen on port " + c.serverPort(),
          "LISTEN",
          false);
      tl.call(
          "client",
          "old connection: write(16 bytes)",
          () -> Timeline.write(c.client(), Plays.DATA));
      tl.call("client", "old connection: read()", () -> Timeline.read(c.client(), 3000));
      try {
        Network.Link n = net.connectAgain(l);
        Timeline.write(n.client(), "hello");
        String verdict =
            "connected from port "
                + n.clientPort()
                + "; the server read "
                + Timeline.read(n.server(), 3000);
        tl.add(
            tl.now(),
            "client",
            "new connection to the same port, write(\"hello\")",
            verdict,
            false);
      } catch (RuntimeException e) {
        tl.add(tl.now(), "client", "new connection to the same port", Timeline.text(e), false);
      }
      if (!net.realKernels()) { // the relay, not a rebooted kernel, resets the old connection
        Plays.differs(
            tl,
            "what the client sees is the same as after a real reboot, but the RST for the old "
                + "connection comes from the relay, and the new connection runs through it");
      }
      return tl.table("Crash + reboot, service restarted: old connection reset, new one works");
    }
  }
}
