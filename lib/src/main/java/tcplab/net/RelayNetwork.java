package tcplab.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tcplab.Wire;
import tech.tablesaw.api.Table;

/**
 * The labelled stand-in: {@code client ⇄ relay ⇄ server}, pure Java on 127.0.0.1 ({@link Relay}). A
 * cut is the relay holding the bytes, a crash is the server's sockets closing with SO_LINGER 0
 * behind the relay, a reboot is the relay answering the client's next bytes with RST. Works
 * everywhere, but it is NOT a real cut.
 */
public final class RelayNetwork implements Network {
  /** What no story on the relay can show, whatever it does. */
  public static final String CANNOT_SHOW =
      "the relay's own kernel ACKs whatever the client sends: no "
          + "retransmission, so tcp_retries2 and TCP_USER_TIMEOUT never fire on ACKed data, keepalive probes are "
          + "always answered, and there are no packets of a cable to capture";

  /** Why the relay cannot lose an ACK of the client's kernel. */
  public static final String CANNOT_DROP_ACKS =
      "the client's ACKs go from its kernel to the relay's kernel over 127.0.0.1, and pure Java "
          + "cannot drop one packet of a kernel (that needs an nft rule in a network namespace of "
          + "our own): the last ACK is never lost here, so nothing is retransmitted in LAST_ACK";

  private final Relay relay = Relay.start();
  private final Map<Link, Relay.Link> links = new ConcurrentHashMap<>();

  private RelayNetwork() {}

  /** A server on an ephemeral port of 127.0.0.1 and a relay in front of it. */
  public static RelayNetwork create() {
    return new RelayNetwork();
  }

  @Override
  public Link connect(TwoHosts.SocketSetup setup) {
    return add(relay.connect(setup));
  }

  @Override
  public Link connectChannel() {
    return add(relay.connect(s -> {}, true));
  }

  @Override
  public boolean dropClientAcks(int count) {
    return false;
  }

  @Override
  public int droppedClientAcks() {
    return -1;
  }

  @Override
  public String cannotDropAcks() {
    return CANNOT_DROP_ACKS;
  }

  private Link add(Relay.Link r) {
    Link l = new Link(r.client(), r.server(), r.clientPort(), r.serverPort());
    links.put(l, r);
    return l;
  }

  @Override
  public void cut() {
    relay.blackhole();
  }

  @Override
  public void heal() {
    relay.heal();
  }

  @Override
  public void crashServer() {
    relay.crash();
  }

  @Override
  public void reboot() {
    relay.reboot();
  }

  @Override
  public ServerSocket listenAgain(Link old) {
    return relay.listenAgain();
  }

  @Override
  public Link connectAgain(ServerSocket listener) {
    Socket n = new Socket();
    try {
      n.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), relay.relayPort()), 3000);
      Socket a = relay.accept(listener, 3000);
      return add(
          new Relay.Link(
              n, a, n.getLocalPort(), relay.relayPort(), relay.serverPort(), a.getPort()));
    } catch (IOException e) {
      TwoHosts.quietly(n);
      throw new UncheckedIOException("no new connection through the relay: " + e.getMessage(), e);
    }
  }

  @Override
  public Timeline.States states(Link link) {
    return Relay.states(links.get(link));
  }

  @Override
  public boolean setRetries2(int retries2) {
    return false;
  }

  @Override
  public boolean realKernels() {
    return false;
  }

  @Override
  public String cannotShow() {
    return CANNOT_SHOW;
  }

  @Override
  public Wire wire(Table table) {
    return WireTap.without(
        table, "no packets: capture needs real kernels, and this run used the relay stand-in");
  }

  @Override
  public void close() {
    for (Relay.Link l : links.values()) {
      l.close();
    }
    relay.close();
  }
}
