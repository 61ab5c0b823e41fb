package tcplab.net;

import java.net.ServerSocket;
import java.net.Socket;
import java.util.Optional;
import tcplab.Wire;
import tcplab.observe.ProcNetTcp;
import tech.tablesaw.api.Table;

/**
 * Two hosts and the cable between them: what every lesson-17 story needs, with one name per fault
 * on every network. Two implementations: {@link RealNetwork} (two real kernels in network
 * namespaces: a real cut, a real crash and reboot, packets) and {@link RelayNetwork} (a pure-Java
 * relay on 127.0.0.1 standing in for the cable: works everywhere, but its kernel ACKs, which {@link
 * #cannotShow()} says).
 */
public interface Network extends AutoCloseable {
  /**
   * One connection from the client host to the server host: both sockets and the ports /proc lists
   * them by.
   */
  record Link(Socket client, Socket server, int clientPort, int serverPort) {}

  /** Listens on the server host, connects from the client host, accepts (3 s deadlines). */
  default Link connect() {
    return connect(s -> {});
  }

  /** Like {@link #connect()}, calling {@code setup} on the client socket before it connects. */
  Link connect(TwoHosts.SocketSetup setup);

  /**
   * Like {@link #connect()}, but the client's end is a {@link java.nio.channels.SocketChannel}
   * (made in the client host, still in blocking mode): {@code link.client().getChannel()}.
   */
  Link connectChannel();

  /**
   * The client host drops its next {@code count} outgoing pure ACKs (TCP flags exactly ACK), then
   * lets them through; false when this network cannot ({@link #cannotDropAcks()} says why).
   */
  boolean dropClientAcks(int count);

  /**
   * How many pure ACKs the client host dropped since {@link #dropClientAcks}; -1 when it cannot.
   */
  int droppedClientAcks();

  /** Why this network cannot drop a host's ACKs (one sentence), or "" when it can. */
  default String cannotDropAcks() {
    return "";
  }

  /**
   * The /proc row of {@code link}'s client end ({@code clientEnd}) or server end as its own kernel
   * lists it, with its timer and retransmissions; empty when it lists none or this network cannot
   * tell.
   */
  default Optional<ProcNetTcp.Row> row(Link link, boolean clientEnd) {
    return Optional.empty();
  }

  /** The cable is cut: the server host drops everything in and out, nobody is told. */
  void cut();

  /** The cable is back; harmless when there is no cut. */
  void heal();

  /** The server host crashes: its sockets and kernel state are gone, nothing is sent. */
  void crashServer();

  /** The crashed server host boots with no memory of any connection. */
  void reboot();

  /** The rebooted server host's service listens on the old connection's port again. */
  ServerSocket listenAgain(Link old);

  /**
   * A new connection from the client host to the port {@code listener} listens on, accepted there.
   */
  Link connectAgain(ServerSocket listener);

  /** Each end's state as its own kernel lists it, e.g. "ESTABLISHED timer=retransmit Send-Q=16". */
  Timeline.States states(Link link);

  /**
   * Sets net.ipv4.tcp_retries2 in the client host only; false when this network has no kernel of
   * its own.
   */
  boolean setRetries2(int retries2);

  /** True for real kernels on both ends of a real cable; false for the relay stand-in. */
  boolean realKernels();

  /** What a story on this network cannot show (one sentence), or "" when it shows everything. */
  String cannotShow();

  /** Lines the packets of {@code link} up with {@code timeline} (when this network captures). */
  default void watch(Timeline timeline, Link link) {}

  /**
   * {@code table} with the packets this network captured and its ladder; without packets, the note
   * says why.
   */
  Wire wire(Table table);

  /** Deletes both hosts and the cable; closing twice is harmless. */
  @Override
  void close();
}
