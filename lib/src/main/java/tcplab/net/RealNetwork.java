package tcplab.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tcplab.Wire;
import tech.tablesaw.api.Table;

/**
 * Two real kernels in network namespaces ({@link TwoHosts}): root in this JVM, or root of a private
 * user namespace in a child JVM. With capture on, tcpdump starts inside the client host before the
 * first connection, and {@link #wire} returns the story's table with its packets.
 */
public final class RealNetwork implements Network {
  private final TwoHosts hosts;
  private final WireTap tap;
  private final List<TwoHosts.Connection> connections = new CopyOnWriteArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private boolean watched;

  private RealNetwork(boolean capture) {
    hosts = TwoHosts.create();
    if (capture) {
      tap = new WireTap();
      try {
        tap.begin(hosts);
      } catch (RuntimeException e) {
        hosts.close();
        throw e;
      }
    } else {
      tap = null;
    }
  }

  /**
   * Two fresh hosts; {@code capture}: packets of the first watched connection (see {@link #watch}).
   */
  public static RealNetwork create(boolean capture) {
    return new RealNetwork(capture);
  }

  @Override
  public Link connect(TwoHosts.SocketSetup setup) {
    TwoHosts.Connection c = hosts.connect(TwoHosts.PORT, setup);
    connections.add(c);
    return new Link(c.client(), c.server(), c.clientPort(), c.serverPort());
  }

  @Override
  public Link connectChannel() {
    TwoHosts.Connection c = hosts.connect(TwoHosts.PORT, s -> {}, true);
    connections.add(c);
    return new Link(c.client(), c.server(), c.clientPort(), c.serverPort());
  }

  @Override
  public boolean dropClientAcks(int count) {
    hosts.dropPureAcks(TwoHosts.Host.CLIENT, count);
    return true;
  }

  @Override
  public int droppedClientAcks() {
    return hosts.droppedPureAcks(TwoHosts.Host.CLIENT);
  }

  @Override
  public java.util.Optional<tcplab.observe.ProcNetTcp.Row> row(Link link, boolean clientEnd) {
    return clientEnd
        ? hosts.row(TwoHosts.Host.CLIENT, link.clientPort(), link.serverPort())
        : hosts.row(TwoHosts.Host.SERVER, link.serverPort(), link.clientPort());
  }

  @Override
  public void cut() {
    hosts.cut();
  }

  @Override
  public void heal() {
    hosts.heal();
  }

  @Override
  public void crashServer() {
    hosts.crashServer(
        connections.stream()
            .flatMap(c -> java.util.stream.Stream.<AutoCloseable>of(c.server(), c.listener()))
            .toArray(AutoCloseable[]::new));
  }

  @Override
  public void reboot() {
    hosts.rebootServer();
  }

  @Override
  public ServerSocket listenAgain(Link old) {
    return hosts.listenAgain(old.serverPort());
  }

  @Override
  public Link connectAgain(ServerSocket listener) {
    int port = listener.getLocalPort();
    Socket c =
        hosts.onClient(
            () -> {
              Socket s = new Socket();
              try {
                s.connect(new InetSocketAddress(hosts.serverAddress(), port), 3000);
                return s;
              } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
              }
            });
    try {
      listener.setSoTimeout(3000);
      Socket a = listener.accept();
      accepted.add(a);
      return new Link(c, a, c.getLocalPort(), port);
    } catch (IOException e) {
      TwoHosts.quietly(c);
      throw new UncheckedIOException(
          "the restarted server did not accept within 3000 ms: " + e.getMessage(), e);
    }
  }

  @Override
  public Timeline.States states(Link link) {
    return new Timeline.States() {
      @Override
      public String client() {
        return Timeline.describe(
            hosts.row(TwoHosts.Host.CLIENT, link.clientPort(), link.serverPort()));
      }

      @Override
      public String server() {
        return hosts
            .row(TwoHosts.Host.SERVER, link.serverPort(), link.clientPort())
            .map(tcplab.observe.ProcNetTcp.Row::state)
            .orElse(tcplab.observe.ProcNetTcp.NOT_LISTED);
      }
    };
  }

  @Override
  public boolean setRetries2(int retries2) {
    hosts.setRetries2(TwoHosts.Host.CLIENT, retries2);
    return true;
  }

  @Override
  public boolean realKernels() {
    return true;
  }

  @Override
  public String cannotShow() {
    return "";
  }

  @Override
  public synchronized void watch(Timeline timeline, Link link) {
    if (tap != null && !watched) {
      tap.attach(timeline, link.clientPort());
      watched = true;
    }
  }

  @Override
  public Wire wire(Table table) {
    return tap != null
        ? tap.wire(table)
        : WireTap.without(table, "no packets: capture was not asked for");
  }

  @Override
  public void close() {
    if (tap != null) {
      tap.stop(); // before the namespaces (and the veth tcpdump listens on) go away
    }
    for (Socket s : accepted) {
      TwoHosts.quietly(s);
    }
    for (TwoHosts.Connection c : connections) {
      c.close();
    }
    hosts.close();
  }
}
