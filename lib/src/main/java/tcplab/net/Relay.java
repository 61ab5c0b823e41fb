package tcplab.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import tcplab.engine.Run;
import tcplab.observe.ProcNetTcp;
import tcplab.proc.Daemons;

/**
 * The RELAY layer's stand-in for a network between two hosts, pure Java on 127.0.0.1 (ephemeral
 * ports only): {@code client ⇄ relay ⇄ server}. Works everywhere, but it is NOT a real cut
 * (measured: a relay on loopback is a TCP endpoint of its own): the relay's own kernel ACKs
 * whatever the client sends, so the client's kernel never retransmits, tcp_retries2 and
 * TCP_USER_TIMEOUT never fire for ACKed data, and keepalive probes are always answered.
 *
 * <ul>
 *   <li>{@link #blackhole()}: stop forwarding both ways, keep both TCP connections open. Bytes are
 *       read and held (up to 1 MiB per direction, then the relay stops reading and the window
 *       closes); {@link #heal()} delivers them, so nothing is lost.
 *   <li>{@link #crash()}: the server's sockets close with SO_LINGER 0 (their RST reaches only the
 *       relay, which tells the client nothing); bytes from the client are read and thrown away.
 *   <li>{@link #reboot()}: from now on, the next bytes from the client draw an RST (the relay
 *       closes its end with SO_LINGER 0); a connection that sent bytes while the host was down is
 *       reset at once, standing in for the retransmission a real client would still be sending. New
 *       connections are relayed to whatever listens on the server's port again ({@link
 *       #listenAgain()}), else reset.
 * </ul>
 */
public final class Relay implements AutoCloseable {
  enum Mode {
    FORWARD,
    BLACKHOLE
  }

  /**
   * The relayed connection: the client's socket, the server's accepted socket, and the ports for
   * /proc.
   */
  public record Link(
      Socket client, Socket server, int clientPort, int relayPort, int serverPort, int upstreamPort)
      implements AutoCloseable {
    @Override
    public void close() {
      TwoHosts.quietly(client);
      TwoHosts.quietly(server);
    }
  }

  private static final int HOLD_LIMIT = 1 << 20;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ServerSocket front;
  private final int serverPort;
  private volatile ServerSocket listener;
  private volatile Mode mode = Mode.FORWARD;

  /** Between crash() and reboot(): the server host is down. */
  private volatile boolean hostDown;

  private final List<Pair> pairs = new CopyOnWriteArrayList<>();
  private final List<Socket> serverSockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private Relay() throws IOException {
    listener = new ServerSocket(0, 50, LOOPBACK);
    serverPort = listener.getLocalPort();
    front = new ServerSocket(0, 50, LOOPBACK);
    start("tcplab-relay-accept", this::acceptLoop);
  }

  /** A server listening on an ephemeral port and a relay in front of it. */
  public static Relay start() {
    try {
      return new Relay();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not start the relay on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  /** Connects a client through the relay and accepts it at the server (3 s deadlines). */
  public Link connect() {
    return connect(s -> {});
  }

  /** Like {@link #connect()}, calling {@code setup} on the client socket before it connects. */
  public Link connect(TwoHosts.SocketSetup setup) {
    return connect(setup, false);
  }

  /**
   * Like {@link #connect(TwoHosts.SocketSetup)}; with {@code channel} the client's socket is a
   * SocketChannel's ({@code client().getChannel()}, in blocking mode).
   */
  public Link connect(TwoHosts.SocketSetup setup, boolean channel) {
    Socket c;
    try {
      c = channel ? java.nio.channels.SocketChannel.open().socket() : new Socket();
    } catch (IOException e) {
      throw new UncheckedIOException("could not open a SocketChannel: " + e.getMessage(), e);
    }
    try {
      setup.accept(c);
      c.connect(new InetSocketAddress(LOOPBACK, front.getLocalPort()), 3000);
      ServerSocket l = listener;
      l.setSoTimeout(3000);
      Socket s = l.accept();
      serverSockets.add(s);
      // the relay registers the pair on its own thread: until it has, a crash() would not know this
      // connection (and the server's RST would be passed on to the client as if there were no
      // crash)
      int port = c.getLocalPort();
      if (!Run.until(3000, () -> pairs.stream().anyMatch(p -> p.downSocket.getPort() == port))) {
        throw new IOException("the relay did not register the connection within 3000 ms");
      }
      return new Link(c, s, c.getLocalPort(), front.getLocalPort(), serverPort, s.getPort());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      TwoHosts.quietly(c);
      throw new IllegalStateException("interrupted while connecting through the relay", e);
    } catch (IOException e) {
      TwoHosts.quietly(c);
      throw new UncheckedIOException("could not connect through the relay: " + e.getMessage(), e);
    }
  }

  Mode mode() {
    return mode;
  }

  public int relayPort() {
    return front.getLocalPort();
  }

  public int serverPort() {
    return serverPort;
  }

  /** Stop forwarding both ways; both connections stay open and the relay's kernel keeps ACKing. */
  public void blackhole() {
    mode = Mode.BLACKHOLE;
  }

  /** Forward again, held bytes first. */
  public void heal() {
    mode = Mode.FORWARD;
    for (Pair p : pairs) {
      p.up.flush();
      p.down.flush();
    }
  }

  /**
   * The server host crashes: its sockets and listener close with SO_LINGER 0; held bytes are lost.
   */
  public void crash() {
    hostDown = true;
    for (Pair p : pairs) {
      p.orphan = true; // its server end is gone for good
      p.up.drop();
      p.down.drop();
    }
    for (Socket s : serverSockets) {
      reset(s);
    }
    serverSockets.clear();
    TwoHosts.quietly(listener);
  }

  /** The server host is back with no memory: the client's next bytes draw an RST. */
  public void reboot() {
    hostDown = false;
    mode = Mode.FORWARD;
    for (Pair p : pairs) {
      if (p.orphan && p.sentWhileDown) {
        p.resetClient();
      }
    }
  }

  /**
   * The rebooted host's service listens on the same port again; returns the listener (closed by
   * close()).
   */
  public ServerSocket listenAgain() {
    try {
      ServerSocket s = new ServerSocket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(LOOPBACK, serverPort), 50);
      listener = s;
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the rebooted server could not listen on port "
              + serverPort
              + " again: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * A socket accepted by the server host (after listenAgain), registered so crash()/close() reach
   * it.
   */
  public Socket accept(ServerSocket l, int millis) throws IOException {
    l.setSoTimeout(millis);
    Socket s = l.accept();
    serverSockets.add(s);
    return s;
  }

  /**
   * The state of a socket of this JVM in /proc/self/net/tcp, e.g. "ESTABLISHED"; "CLOSED" or "n/a".
   */
  static String state(int localPort, int remotePort) {
    if (!ProcNetTcp.available()) {
      return "n/a (no /proc/net/tcp)";
    }
    return Timeline.describe(ProcNetTcp.find("/proc/self/net/", localPort, remotePort));
  }

  /** The client's and the server's states, as this machine's one kernel lists them. */
  public static Timeline.States states(Link l) {
    return new Timeline.States() {
      @Override
      public String client() {
        return state(l.clientPort(), l.relayPort());
      }

      @Override
      public String server() {
        return state(l.serverPort(), l.upstreamPort());
      }
    };
  }

  // ---------------------------------------------------------------- pumps

  private void acceptLoop() {
    while (!closed) {
      Socket down;
      try {
        down = front.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket up = null;
      if (!hostDown) {
        try {
          up = new Socket();
          up.connect(new InetSocketAddress(LOOPBACK, serverPort), 3000);
        } catch (IOException e) {
          TwoHosts.quietly(up);
          reset(down); // nothing listens on the server's port: the host answers RST
          continue;
        }
      } else {
        reset(down); // no server host (a simplification: a real SYN would go unanswered)
        continue;
      }
      Pair p = new Pair(down, up);
      pairs.add(p);
      start("tcplab-relay-up", () -> p.up.run());
      start("tcplab-relay-down", () -> p.down.run());
    }
  }

  private void start(String name, Runnable r) {
    threads.add(Daemons.start(name, r));
  }

  static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // already dead
    }
    TwoHosts.quietly(s);
  }

  /** One relayed connection: client side ("down") and server side ("up"), a pump each way. */
  private final class Pair {
    final Socket downSocket, upSocket;
    final Pump up, down;

    /**
     * Its server end died in a crash: client bytes are dropped (host down) or answered with RST
     * (rebooted).
     */
    volatile boolean orphan;

    volatile boolean sentWhileDown;

    Pair(Socket downSocket, Socket upSocket) {
      this.downSocket = downSocket;
      this.upSocket = upSocket;
      this.up = new Pump(this, downSocket, upSocket, true);
      this.down = new Pump(this, upSocket, downSocket, false);
    }

    void resetClient() {
      reset(downSocket);
      TwoHosts.quietly(upSocket);
    }
  }

  /**
   * Copies one direction: forwards, holds (blackhole), drops (host down) or answers client bytes
   * with RST (rebooted).
   */
  private final class Pump {
    final Pair pair;
    final Socket from, to;
    final boolean fromClient;
    final ByteArrayOutputStream held = new ByteArrayOutputStream();

    Pump(Pair pair, Socket from, Socket to, boolean fromClient) {
      this.pair = pair;
      this.from = from;
      this.to = to;
      this.fromClient = fromClient;
    }

    void run() {
      byte[] buf = new byte[16384];
      try {
        InputStream in = from.getInputStream();
        while (!closed) {
          while (mode == Mode.BLACKHOLE && heldSize() >= HOLD_LIMIT && !closed) {
            Thread.sleep(10); // stop reading: the window closes, as a receiver that stopped reading
          }
          int n = in.read(buf);
          if (n < 0) {
            if (mode == Mode.FORWARD && !pair.orphan) {
              flush();
              to.shutdownOutput(); // FIN travels on
            }
            return;
          }
          deliver(buf, n);
        }
      } catch (SocketException e) {
        if (mode == Mode.FORWARD && !pair.orphan && !closed) {
          reset(to); // RST travels on
        }
      } catch (IOException e) {
        // closed
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private synchronized int heldSize() {
      return held.size();
    }

    private synchronized void deliver(byte[] buf, int n) throws IOException {
      if (pair.orphan) {
        if (fromClient && hostDown) {
          pair.sentWhileDown = true; // dropped: nobody is there
        } else if (fromClient) {
          pair.resetClient(); // the rebooted host knows no such connection: RST
        }
      } else if (mode == Mode.FORWARD) {
        flush();
        to.getOutputStream().write(buf, 0, n);
      } else {
        held.write(buf, 0, n);
      }
    }

    synchronized void flush() {
      if (held.size() > 0) {
        try {
          to.getOutputStream().write(held.toByteArray());
        } catch (IOException ignored) {
          // the other side is gone
        }
        held.reset();
      }
    }

    synchronized void drop() {
      held.reset();
    }
  }

  /** Closes every socket and waits (briefly) for the relay's threads to end. */
  @Override
  public void close() {
    closed = true;
    TwoHosts.quietly(front);
    TwoHosts.quietly(listener);
    for (Pair p : pairs) {
      TwoHosts.quietly(p.downSocket);
      TwoHosts.quietly(p.upSocket);
    }
    for (Socket s : serverSockets) {
      TwoHosts.quietly(s);
    }
    for (Thread t : threads) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
