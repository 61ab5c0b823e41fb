package tcplab.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tcplab.Check;
import tcplab.observe.ProcNetTcp;

/**
 * Two "hosts" on real Linux kernels: two network namespaces joined by one veth pair, with the
 * sockets of both hosts in this JVM. Root only (layer ROOT of {@link #probe()}).
 *
 * <pre>
 *   client host  tcplab-PID-N-c   [tlXXXXc0 10.213.n.1/24] ==veth== [tlXXXXs0 10.213.n.2/24]  tcplab-PID-N-s  server host
 * </pre>
 *
 * Nothing is created in the root namespace: the veth is created inside the client namespace with
 * its peer directly in the server namespace, the addresses exist only there, and sysctls are
 * written only inside the namespaces. Faults: {@link #cut()}/{@link #heal()} (nft drop on the
 * server host, no FIN, no RST), {@link #crashServer(AutoCloseable...)} (the server host's whole
 * kernel state vanishes) and {@link #rebootServer()} (a fresh kernel with the same IP and MAC
 * answers: RST for the old connection). {@link #close()} (and a JVM shutdown hook) deletes the
 * namespaces; {@link #create()} first deletes leftovers of earlier JVMs that died.
 *
 * <p>The namespaces, the veth and the nft table are {@link HostNamespaces}' (made with the {@code
 * ip}/{@code nft} {@link Commands}); code runs inside a host through {@link InNamespace}; {@link
 * #probe()} is {@link PrivilegeProbe}'s.
 */
public final class TwoHosts implements AutoCloseable {
  /** The two machines. */
  public enum Host {
    CLIENT,
    SERVER;

    @Override
    public String toString() {
      return name().toLowerCase() + " host";
    }
  }

  /**
   * What {@link #probe()} found: one line per check (an empty reason means OK). Whether user
   * namespaces work is {@link tcplab.net.PrivateHost#why()}'s question; which layer plays the
   * stories is {@link tcplab.story.Layer}'s.
   *
   * @param root why namespaces in this JVM are not available, or "" when they are
   * @param ip path of ip, or "" if missing
   * @param nft path of nft, or "" if missing
   * @param tcpdump path of tcpdump, or "" if missing
   */
  public record Privileges(String root, String ip, String nft, String tcpdump) {
    @Override
    public String toString() {
      return "network faults between two hosts:\n"
          + line("root", root, "ip netns add works")
          + line("ip", ip.isEmpty() ? "not installed (iproute2)" : "", ip)
          + line("nft", nft.isEmpty() ? "not installed (nftables): no cut" : "", nft)
          + line("tcpdump", tcpdump.isEmpty() ? "not installed" : "", tcpdump);
    }

    private static String line(String what, String reason, String ok) {
      return String.format(
          "  [%s] %-8s %s%n", reason.isEmpty() ? "ok" : "--", what, reason.isEmpty() ? ok : reason);
    }
  }

  /**
   * A connection between the hosts: the client's socket (client namespace), the server's accepted
   * socket and its listener (server namespace), and the two ports (to find the ends in /proc after
   * a crash).
   */
  public record Connection(
      Socket client, Socket server, ServerSocket listener, int clientPort, int serverPort)
      implements AutoCloseable {
    @Override
    public void close() {
      quietly(client);
      quietly(server);
      quietly(listener);
    }
  }

  /** A callback that may throw, used to configure a socket before it connects. */
  @FunctionalInterface
  public interface SocketSetup {
    void accept(Socket s) throws IOException;
  }

  /** The default port the server host listens on (its namespace is fresh, so it is always free). */
  public static final int PORT = 7000;

  private static final Set<TwoHosts> LIVE = ConcurrentHashMap.newKeySet();
  private static volatile boolean hookInstalled;

  private final HostNamespaces ns = new HostNamespaces();
  private final List<AutoCloseable> serverOwned = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
  private volatile boolean cutActive, closed;

  private TwoHosts() {}

  /** Builds the two hosts (about 50-100 ms); needs root. Deletes leftovers of dead JVMs first. */
  public static TwoHosts create() {
    HostNamespaces.deleteLeftovers();
    installHook();
    TwoHosts h = new TwoHosts();
    LIVE.add(h);
    try {
      h.ns.build();
      return h;
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  /** The client host's address (exists only inside the client namespace). */
  public InetAddress clientAddress() {
    return ns.clientAddr;
  }

  /** The server host's address (exists only inside the server namespace). */
  public InetAddress serverAddress() {
    return ns.serverAddr;
  }

  /** The client host's end of the veth (tcpdump inside the client namespace listens there). */
  String clientInterface() {
    return ns.clientIf;
  }

  /** The namespace name of a host now (the server's changes at every crash). */
  public String namespace(Host h) {
    return h == Host.CLIENT ? ns.clientNs : ns.serverNs();
  }

  /**
   * True while the server host drops everything (after cut() or crashServer(), before
   * heal()/rebootServer()).
   */
  public boolean isCut() {
    return cutActive;
  }

  // ---------------------------------------------------------------- running code on a host

  /**
   * Runs {@code task} on a fresh platform thread inside the client host; sockets made there stay
   * there.
   */
  public <T> T onClient(Callable<T> task) {
    return own(InNamespace.in(ns.clientNs, task), owned);
  }

  /**
   * Runs {@code task} on a fresh platform thread inside the server host. A socket it returns is
   * registered as the server host's: {@link #crashServer(AutoCloseable...)} destroys it.
   */
  public <T> T onServer(Callable<T> task) {
    return own(InNamespace.in(ns.serverNs(), task), serverOwned);
  }

  private static <T> T own(T result, List<AutoCloseable> registry) {
    if (result instanceof Socket
        || result instanceof ServerSocket
        || result instanceof java.nio.channels.Channel) {
      registry.add((AutoCloseable) result);
    }
    return result;
  }

  // ---------------------------------------------------------------- connections and observation

  /**
   * Listens on {@link #PORT} in the server host, connects from the client host, accepts (3 s
   * deadlines).
   */
  public Connection connect() {
    return connect(PORT, s -> {});
  }

  /**
   * Like {@link #connect()}, on {@code port}, calling {@code setup} on the client socket before it
   * connects.
   */
  public Connection connect(int port, SocketSetup setup) {
    return connect(port, setup, false);
  }

  /**
   * Like {@link #connect(int, SocketSetup)}; with {@code channel} the client's socket is a
   * SocketChannel's ({@code client().getChannel()}, in blocking mode), made inside the client host.
   */
  public Connection connect(int port, SocketSetup setup, boolean channel) {
    Check.range("port", port, 1, 65535, "");
    ServerSocket l = listen(port);
    try {
      Socket c =
          onClient(
              () -> {
                Socket s = channel ? java.nio.channels.SocketChannel.open().socket() : new Socket();
                try {
                  setup.accept(s);
                  s.connect(new InetSocketAddress(ns.serverAddr, port), 3000);
                  return s;
                } catch (IOException | RuntimeException e) {
                  s.close();
                  throw e;
                }
              });
      l.setSoTimeout(3000);
      Socket s = l.accept();
      serverOwned.add(s);
      return new Connection(c, s, l, c.getLocalPort(), port);
    } catch (IOException e) {
      quietly(l);
      throw new UncheckedIOException(
          "could not connect the client host to the server host: " + e.getMessage(), e);
    }
  }

  /**
   * A listening socket on serverAddress():port in the server host (after a reboot: a restarted
   * service).
   */
  public ServerSocket listen(int port) {
    return onServer(
        () -> {
          ServerSocket s = new ServerSocket();
          s.setReuseAddress(true);
          s.bind(new InetSocketAddress(ns.serverAddr, port), 50);
          return s;
        });
  }

  /** The rebooted server host starts its service again: listens on {@code port}. */
  public ServerSocket listenAgain(int port) {
    return listen(port);
  }

  /**
   * The socket localPort->remotePort as the host's own kernel lists it (/proc/thread-self/net/tcp,
   * tcp6).
   */
  public Optional<ProcNetTcp.Row> row(Host h, int localPort, int remotePort) {
    return InNamespace.row(namespace(h), localPort, remotePort);
  }

  /**
   * The state of the connection's end on host {@code h}, e.g. "ESTABLISHED", or "CLOSED" when its
   * kernel lists none.
   */
  public String state(Host h, Connection c) {
    return h == Host.CLIENT
        ? InNamespace.state(namespace(h), c.clientPort(), c.serverPort())
        : InNamespace.state(namespace(h), c.serverPort(), c.clientPort());
  }

  // ---------------------------------------------------------------- faults

  /**
   * The server host silently drops everything in and out (no FIN, no RST, no ICMP): a network cut.
   */
  public void cut() {
    ns.cut();
    cutActive = true;
  }

  /** Lifts the cut; harmless when there is none. */
  public void heal() {
    ns.heal();
    cutActive = false;
  }

  /**
   * Host crash: cut first so nothing escapes; close the server host's sockets ({@code
   * serverSockets} plus every socket made via onServer/connect) with SO_LINGER 0 (their RSTs are
   * dropped); move the server's veth end into a fresh namespace (same IP and MAC) that also drops
   * everything; delete the old namespace, and with it the old kernel state. The host stays down
   * until {@link #rebootServer()}.
   */
  public void crashServer(AutoCloseable... serverSockets) {
    cut();
    List<AutoCloseable> all = new ArrayList<>(List.of(serverSockets));
    all.addAll(serverOwned);
    serverOwned.clear();
    for (AutoCloseable a : all) {
      if (a instanceof Socket s && !s.isClosed()) {
        try {
          s.setSoLinger(true, 0);
        } catch (IOException ignored) {
          // already dead: closing is enough
        }
      }
      quietly(a);
    }
    ns.crashServer();
  }

  /**
   * The crashed server host boots: its empty kernel answers the old connection's next segment with
   * RST.
   */
  public void rebootServer() {
    heal();
  }

  /**
   * Sets net.ipv4.tcp_retries2 inside that host's namespace only (the root namespace is never
   * touched).
   */
  public void setRetries2(Host h, int retries2) {
    Check.range("tcp_retries2", retries2, 1, 15, "retransmissions");
    HostNamespaces.setRetries2(namespace(h), retries2);
  }

  /**
   * Host {@code h} drops its next {@code count} outgoing pure ACKs (flags exactly ACK), then lets
   * them through again (an nft rule in its namespace only; a dropped packet never reaches the
   * cable, so a capture there does not see it).
   */
  public void dropPureAcks(Host h, int count) {
    Check.range("count", count, 0, 1000, "pure ACKs");
    HostNamespaces.dropPureAcks(namespace(h), count);
  }

  /**
   * How many pure ACKs host {@code h} has dropped so far; -1 when {@link #dropPureAcks} was not
   * called.
   */
  public int droppedPureAcks(Host h) {
    return HostNamespaces.droppedPureAcks(namespace(h));
  }

  /** net.ipv4.tcp_retries2 as that host's kernel sees it. */
  public int retries2(Host h) {
    return HostNamespaces.retries2(namespace(h));
  }

  // ---------------------------------------------------------------- cleanup

  /**
   * Deletes both hosts (their namespaces, which deletes the veth and the nft tables); closing twice
   * is harmless.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable a : serverOwned) {
      quietly(a);
    }
    for (AutoCloseable a : owned) {
      quietly(a);
    }
    ns.deleteAll();
    LIVE.remove(this);
  }

  private static synchronized void installHook() {
    if (!hookInstalled) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    for (TwoHosts h : List.copyOf(LIVE)) {
                      try {
                        h.close();
                      } catch (RuntimeException ignored) {
                        // best effort at exit
                      }
                    }
                  },
                  "tcplab-twohosts-cleanup"));
      hookInstalled = true;
    }
  }

  public static void quietly(AutoCloseable a) {
    if (a == null) {
      return;
    }
    try {
      a.close();
    } catch (Exception ignored) {
      // best effort
    }
  }

  // ---------------------------------------------------------------- probe and tools

  /**
   * Whether namespaces work in this JVM and which tools exist (~30 ms; as root it adds and deletes
   * one probe namespace).
   */
  public static Privileges probe() {
    return PrivilegeProbe.probe();
  }

  /** The path of a tool, or "" when it is not installed (see {@link Commands#which}). */
  public static String which(String name) {
    return Commands.which(name);
  }

  @Override
  public String toString() {
    return "TwoHosts[" + ns + (cutActive ? ", cut" : "") + (closed ? ", closed" : "") + "]";
  }
}
