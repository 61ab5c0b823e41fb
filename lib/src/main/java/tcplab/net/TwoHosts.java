package tcplab.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.Check;
import tcplab.engine.Run;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.LibC;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.ProcSelf;
import tcplab.proc.Processes;

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

  static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0, O_CLOEXEC = 0x80000;
  static final long COMMAND_MILLIS = 5_000, IN_NAMESPACE_MILLIS = 30_000;

  /** The default port the server host listens on (its namespace is fresh, so it is always free). */
  public static final int PORT = 7000;

  private static final String NFT_CUT =
      "table inet tcplabcut {\n"
          + "  chain in { type filter hook input priority 0; policy drop; }\n"
          + "  chain out { type filter hook output priority 0; policy drop; }\n}\n";
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final Set<TwoHosts> LIVE = ConcurrentHashMap.newKeySet();
  private static final Pattern OURS = Pattern.compile("tcplab-(\\d+)-\\S+");
  private static volatile boolean hookInstalled;

  private final String base;
  private final String clientNs;
  private volatile String serverNs;
  private final List<String> serverNamespaces = new CopyOnWriteArrayList<>();
  private final String clientIf, serverIf, clientMac, serverMac;
  private final InetAddress clientAddr, serverAddr;
  private final List<AutoCloseable> serverOwned = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> owned = new CopyOnWriteArrayList<>();
  private volatile boolean cutActive, closed;
  private int generation;

  private TwoHosts() {
    long pid = ProcessHandle.current().pid();
    int n = SEQ.getAndIncrement();
    base = "tcplab-" + pid + "-" + n;
    clientNs = base + "-c";
    serverNs = base + "-s";
    String hex = Long.toHexString(((pid & 0x3fffff) << 8) | (n & 0xff));
    clientIf = "tl" + hex + "c0";
    serverIf = "tl" + hex + "s0";
    String mac = String.format("02:74:6c:%02x:%02x:", (int) (pid & 0xff), n & 0xff);
    clientMac = mac + "01";
    serverMac = mac + "02";
    int subnet = (int) ((pid + n) % 250);
    try {
      clientAddr = InetAddress.getByAddress(new byte[] {10, (byte) 213, (byte) subnet, 1});
      serverAddr = InetAddress.getByAddress(new byte[] {10, (byte) 213, (byte) subnet, 2});
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Builds the two hosts (about 50-100 ms); needs root. Deletes leftovers of dead JVMs first. */
  public static TwoHosts create() {
    deleteLeftovers();
    installHook();
    TwoHosts h = new TwoHosts();
    LIVE.add(h);
    try {
      h.build();
      return h;
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  private void build() {
    ip("netns", "add", clientNs);
    serverNamespaces.add(serverNs);
    ip("netns", "add", serverNs);
    ip("-n", clientNs, "link", "set", "lo", "up");
    ip("-n", serverNs, "link", "set", "lo", "up");
    // created inside the client namespace, its peer directly in the server namespace: never in the
    // root one
    ip(
        "-n", clientNs, "link", "add", clientIf, "address", clientMac, "type", "veth", "peer",
        "name", serverIf, "address", serverMac, "netns", serverNs);
    ip("-n", clientNs, "addr", "add", clientAddr.getHostAddress() + "/24", "dev", clientIf);
    ip("-n", clientNs, "link", "set", clientIf, "up");
    upServerEnd(serverNs);
  }

  private void upServerEnd(String ns) {
    ip("-n", ns, "link", "set", serverIf, "address", serverMac);
    ip("-n", ns, "addr", "add", serverAddr.getHostAddress() + "/24", "dev", serverIf);
    ip("-n", ns, "link", "set", serverIf, "up");
    boolean up;
    try {
      up =
          Run.until((int) COMMAND_MILLIS, () -> operUp(clientNs, clientIf) && operUp(ns, serverIf));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the veth pair", e);
    }
    if (!up) {
      throw new IllegalStateException(
          "the veth pair "
              + clientIf
              + "/"
              + serverIf
              + " did not come up within "
              + COMMAND_MILLIS
              + " ms");
    }
  }

  private static boolean operUp(String ns, String dev) {
    return ip("-n", ns, "-o", "link", "show", dev).contains("state UP");
  }

  /** The client host's address (exists only inside the client namespace). */
  public InetAddress clientAddress() {
    return clientAddr;
  }

  /** The server host's address (exists only inside the server namespace). */
  public InetAddress serverAddress() {
    return serverAddr;
  }

  /** The client host's end of the veth (tcpdump inside the client namespace listens there). */
  String clientInterface() {
    return clientIf;
  }

  /** The namespace name of a host now (the server's changes at every crash). */
  public String namespace(Host h) {
    return h == Host.CLIENT ? clientNs : serverNs;
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
    return own(in(clientNs, task), owned);
  }

  /**
   * Runs {@code task} on a fresh platform thread inside the server host. A socket it returns is
   * registered as the server host's: {@link #crashServer(AutoCloseable...)} destroys it.
   */
  public <T> T onServer(Callable<T> task) {
    return own(in(serverNs, task), serverOwned);
  }

  private static <T> T own(T result, List<AutoCloseable> registry) {
    if (result instanceof Socket
        || result instanceof ServerSocket
        || result instanceof java.nio.channels.Channel) {
      registry.add((AutoCloseable) result);
    }
    return result;
  }

  /**
   * Runs {@code task} inside namespace {@code ns} (a name in /run/netns) on a fresh platform
   * thread, 30 s deadline.
   */
  static <T> T in(String ns, Callable<T> task) {
    FutureTask<T> f =
        new FutureTask<>(
            () -> {
              enter("/run/netns/" + ns);
              return task.call();
            });
    Thread t = new Thread(f, "tcplab-in-" + ns);
    t.setDaemon(true);
    t.start();
    try {
      return f.get(IN_NAMESPACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      t.interrupt();
      throw new IllegalStateException(
          "code in namespace " + ns + " did not finish within " + IN_NAMESPACE_MILLIS + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running code in namespace " + ns, e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException r) {
        throw r;
      }
      if (c instanceof IOException io) {
        throw new UncheckedIOException(
            io.getClass().getSimpleName() + ": " + io.getMessage() + " (in " + ns + ")", io);
      }
      throw new IllegalStateException(c.toString() + " (in " + ns + ")", c);
    }
  }

  /**
   * setns(open(path), CLONE_NEWNET) for the calling thread, then checks it really left the JVM's
   * namespace.
   */
  static void enter(String nsPath) throws IOException {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException("cannot enter " + nsPath + ": " + why);
            });
    CResult fd = LibC.call(() -> LibC.C.open(nsPath, O_RDONLY | O_CLOEXEC));
    if (fd.failed()) {
      throw new IllegalStateException("open(" + nsPath + ") failed: " + fd.text());
    }
    CResult r = LibC.call(() -> LibC.C.setns((int) fd.value(), CLONE_NEWNET));
    LibC.call(() -> LibC.C.close((int) fd.value()));
    if (r.failed()) {
      throw new IllegalStateException("setns(" + nsPath + ", CLONE_NEWNET) failed: " + r.text());
    }
    Path mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    if (mine.equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net")))) {
      throw new IllegalStateException(
          "setns(" + nsPath + ") left the thread in the JVM's own namespace " + mine);
    }
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
    Check.range("port", port, 1, 65535, "");
    ServerSocket l = listen(port);
    try {
      Socket c =
          onClient(
              () -> {
                Socket s = new Socket();
                try {
                  setup.accept(s);
                  s.connect(new InetSocketAddress(serverAddr, port), 3000);
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
          s.bind(new InetSocketAddress(serverAddr, port), 50);
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
    return in(
        namespace(h),
        () ->
            ProcNetTcp.rows("/proc/thread-self/net/", "tcp", "tcp6").stream()
                .filter(r -> r.localPort() == localPort && r.remotePort() == remotePort)
                .findFirst());
  }

  /**
   * The state of the connection's end on host {@code h}, e.g. "ESTABLISHED", or "CLOSED" when its
   * kernel lists none.
   */
  public String state(Host h, Connection c) {
    return h == Host.CLIENT
        ? row(h, c.clientPort(), c.serverPort())
            .map(ProcNetTcp.Row::state)
            .orElse(ProcNetTcp.NOT_LISTED)
        : row(h, c.serverPort(), c.clientPort())
            .map(ProcNetTcp.Row::state)
            .orElse(ProcNetTcp.NOT_LISTED);
  }

  // ---------------------------------------------------------------- faults

  /**
   * The server host silently drops everything in and out (no FIN, no RST, no ICMP): a network cut.
   */
  public void cut() {
    nft(serverNs, NFT_CUT);
    cutActive = true;
  }

  /** Lifts the cut; harmless when there is none. */
  public void heal() {
    nft(serverNs, "table inet tcplabcut\ndelete table inet tcplabcut\n");
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
    String old = serverNs;
    String fresh;
    synchronized (this) {
      fresh = base + "-s" + (++generation);
    }
    serverNamespaces.add(fresh);
    ip("netns", "add", fresh);
    ip("-n", fresh, "link", "set", "lo", "up");
    nft(fresh, NFT_CUT);
    ip("-n", old, "link", "set", serverIf, "netns", fresh);
    serverNs = fresh;
    upServerEnd(fresh);
    deleteNamespace(old);
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
    run(
        List.of(
            tool("ip"),
            "netns",
            "exec",
            namespace(h),
            tool("sysctl"),
            "-q",
            "-w",
            "net.ipv4.tcp_retries2=" + retries2),
        null);
  }

  /** net.ipv4.tcp_retries2 as that host's kernel sees it. */
  public int retries2(Host h) {
    return Integer.parseInt(
        run(
                List.of(
                    tool("ip"),
                    "netns",
                    "exec",
                    namespace(h),
                    tool("sysctl"),
                    "-n",
                    "net.ipv4.tcp_retries2"),
                null)
            .trim());
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
    deleteNamespace(clientNs);
    for (String ns : serverNamespaces) {
      deleteNamespace(ns);
    }
    LIVE.remove(this);
  }

  private static void deleteNamespace(String ns) {
    if (Files.exists(Path.of("/run/netns", ns))) {
      try {
        run(List.of(tool("ip"), "netns", "del", ns), null);
      } catch (IllegalStateException e) {
        if (Files.exists(Path.of("/run/netns", ns))) {
          throw e;
        }
      }
    }
  }

  /** Namespaces tcplab-PID-* of JVMs that are no longer alive; returns the names it deleted. */
  static List<String> deleteLeftovers() {
    List<String> deleted = new ArrayList<>();
    if (!Files.isDirectory(Path.of("/run/netns"))) {
      return deleted;
    }
    long me = ProcessHandle.current().pid();
    String[] names = Path.of("/run/netns").toFile().list();
    for (String name : names == null ? new String[0] : names) {
      Matcher m = OURS.matcher(name);
      if (m.matches()) {
        long pid = Long.parseLong(m.group(1));
        if (pid != me && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true)) {
          try {
            deleteNamespace(name);
            deleted.add(name);
          } catch (IllegalStateException ignored) {
            // another JVM may be deleting it at the same moment
          }
        }
      }
    }
    return deleted;
  }

  /** Our namespaces that exist now (tcplab-PID-* of this JVM). */
  static List<String> ownNamespaces() {
    String prefix = "tcplab-" + ProcessHandle.current().pid() + "-";
    String[] names = Path.of("/run/netns").toFile().list();
    List<String> out = new ArrayList<>();
    for (String n : names == null ? new String[0] : names) {
      if (n.startsWith(prefix)) {
        out.add(n);
      }
    }
    return out;
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

  // ---------------------------------------------------------------- probe

  /**
   * Whether namespaces work in this JVM and which tools exist (~30 ms; as root it adds and deletes
   * one probe namespace).
   */
  public static Privileges probe() {
    String ip = which("ip"), nft = which("nft"), tcpdump = which("tcpdump");
    String root;
    if (ip.isEmpty()) {
      root = "ip (iproute2) is not installed";
    } else if (!hasCapSysAdmin()) {
      root = "not root (no CAP_SYS_ADMIN): ip netns add would fail";
    } else {
      String name = "tcplab-" + ProcessHandle.current().pid() + "-probe" + SEQ.getAndIncrement();
      Out o = tryRun(List.of(ip, "netns", "add", name), null, COMMAND_MILLIS);
      root = o.exit == 0 ? "" : "ip netns add refused: " + o.firstLine();
      if (o.exit == 0) {
        tryRun(List.of(ip, "netns", "del", name), null, COMMAND_MILLIS);
      }
    }
    return new Privileges(root, ip, nft, tcpdump);
  }

  private static boolean hasCapSysAdmin() {
    return ProcSelf.hasCapabilities(ProcSelf.CAP_SYS_ADMIN, ProcSelf.CAP_NET_ADMIN).orElse(false);
  }

  // ---------------------------------------------------------------- commands

  /** The path of a tool, or "" when it is not installed (see {@link Processes#onPath}). */
  public static String which(String name) {
    return Processes.onPath(name).orElse("");
  }

  private static String tool(String name) {
    String p = which(name);
    if (p.isEmpty()) {
      throw new IllegalStateException(
          name + " is not installed; TwoHosts needs ip (iproute2), nft (nftables) and sysctl");
    }
    return p;
  }

  private static String ip(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool("ip"));
    cmd.addAll(List.of(args));
    return run(cmd, null);
  }

  private static void nft(String ns, String script) {
    run(List.of(tool("ip"), "netns", "exec", ns, tool("nft"), "-f", "-"), script);
  }

  record Out(int exit, String out, String err) {
    String firstLine() {
      String s = err.isBlank() ? out : err;
      return s.strip().lines().findFirst().orElse("exit status " + exit);
    }
  }

  /**
   * Runs a command with a 5 s deadline; throws IllegalStateException naming it and its stderr on
   * failure.
   */
  static String run(List<String> cmd, String stdin) {
    Out o = tryRun(cmd, stdin, COMMAND_MILLIS);
    if (o.exit != 0) {
      throw new IllegalStateException(
          "command failed ("
              + (o.exit == -1 ? "no exit within " + COMMAND_MILLIS + " ms" : "exit " + o.exit)
              + "): "
              + String.join(" ", cmd)
              + (o.err.isBlank() ? "" : ": " + o.err.strip()));
    }
    return o.out;
  }

  /**
   * Runs a command; exit -1 when it did not end in time (it is then killed). Outputs must stay
   * small (< 64 KiB).
   */
  static Out tryRun(List<String> cmd, String stdin, long millis) {
    try {
      Process p = new ProcessBuilder(cmd).start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(1, TimeUnit.SECONDS);
        return new Out(-1, "", "");
      }
      return new Out(
          p.exitValue(),
          new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Out(127, "", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Out(-1, "", "interrupted");
    }
  }

  @Override
  public String toString() {
    return "TwoHosts["
        + clientNs
        + " "
        + clientAddr.getHostAddress()
        + " <-> "
        + serverNs
        + " "
        + serverAddr.getHostAddress()
        + (cutActive ? ", cut" : "")
        + (closed ? ", closed" : "")
        + "]";
  }
}
