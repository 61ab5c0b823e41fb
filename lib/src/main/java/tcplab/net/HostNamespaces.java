package tcplab.net;

import static tcplab.net.Commands.COMMAND_MILLIS;
import static tcplab.net.Commands.ip;
import static tcplab.net.Commands.nft;
import static tcplab.net.Commands.run;
import static tcplab.net.Commands.tool;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tcplab.engine.Run;

/**
 * The plumbing of {@link TwoHosts}: the two network namespaces (one kernel per host), the veth
 * cable between them, and the nft table that cuts it, all made with {@code ip} and {@code nft}.
 * Creating, cutting, healing and crashing a host happen here; nothing is created in the root
 * namespace, and sysctls are written only inside the namespaces.
 */
final class HostNamespaces {
  private static final String NFT_CUT =
      "table inet tcplabcut {\n"
          + "  chain in { type filter hook input priority 0; policy drop; }\n"
          + "  chain out { type filter hook output priority 0; policy drop; }\n}\n";

  /** Numbers the hosts (and probe namespaces) of this JVM. */
  static final AtomicInteger SEQ = new AtomicInteger();

  private static final Pattern OURS = Pattern.compile("tcplab-(\\d+)-\\S+");

  private final String base;
  final String clientNs;
  private volatile String serverNs;
  private final List<String> serverNamespaces = new CopyOnWriteArrayList<>();
  final String clientIf, serverIf;
  private final String clientMac, serverMac;
  final InetAddress clientAddr, serverAddr;
  private int generation;

  /** Names, addresses and MACs of a new pair of hosts (nothing is created yet: see build()). */
  HostNamespaces() {
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

  /** The server host's namespace now (it changes at every crash). */
  String serverNs() {
    return serverNs;
  }

  /** Creates both namespaces and the veth cable between them, and waits until it is up. */
  void build() {
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

  /** The server host drops everything in and out (an nft table with policy drop). */
  void cut() {
    nft(serverNs, NFT_CUT);
  }

  /** Deletes the cut's table; harmless when there is none. */
  void heal() {
    nft(serverNs, "table inet tcplabcut\ndelete table inet tcplabcut\n");
  }

  /**
   * The server host's kernel vanishes: its veth end moves into a fresh namespace (same IP and MAC)
   * that drops everything, and the old namespace is deleted with all its kernel state.
   */
  void crashServer() {
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
   * Namespace {@code ns} drops its next {@code count} outgoing pure ACKs (TCP flags exactly ACK: no
   * data flag, no FIN, SYN or RST) and lets the later ones through: an nft rule whose {@code numgen
   * inc} counts the matching packets in the kernel. Replaces an earlier rule of the same kind.
   */
  static void dropPureAcks(String ns, int count) {
    nft(
        ns,
        "table inet "
            + NFT_ACKS
            + "\ndelete table inet "
            + NFT_ACKS
            + "\ntable inet "
            + NFT_ACKS
            + " {\n  chain out { type filter hook output priority 0; policy accept;\n"
            + "    tcp flags == ack numgen inc mod 1000000 < "
            + count
            + " counter drop\n  }\n}\n");
  }

  /** How many pure ACKs the rule of {@link #dropPureAcks} dropped in {@code ns}; -1 without one. */
  static int droppedPureAcks(String ns) {
    Commands.Out o =
        Commands.tryRun(
            List.of(
                tool("ip"), "netns", "exec", ns, tool("nft"), "list", "table", "inet", NFT_ACKS),
            null,
            COMMAND_MILLIS);
    Matcher m = Pattern.compile("counter packets (\\d+)").matcher(o.out());
    return o.exit() == 0 && m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  private static final String NFT_ACKS = "tcplabacks";

  /** Sets net.ipv4.tcp_retries2 inside namespace {@code ns} only. */
  static void setRetries2(String ns, int retries2) {
    run(
        List.of(
            tool("ip"),
            "netns",
            "exec",
            ns,
            tool("sysctl"),
            "-q",
            "-w",
            "net.ipv4.tcp_retries2=" + retries2),
        null);
  }

  /** net.ipv4.tcp_retries2 as the kernel of namespace {@code ns} sees it. */
  static int retries2(String ns) {
    return Integer.parseInt(
        run(
                List.of(
                    tool("ip"), "netns", "exec", ns, tool("sysctl"), "-n", "net.ipv4.tcp_retries2"),
                null)
            .trim());
  }

  /** Deletes both hosts' namespaces (which deletes the veth and the nft tables). */
  void deleteAll() {
    deleteNamespace(clientNs);
    for (String ns : serverNamespaces) {
      deleteNamespace(ns);
    }
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

  /** "clientNs clientAddr <-> serverNs serverAddr", the server's namespace as it is now. */
  @Override
  public String toString() {
    return clientNs
        + " "
        + clientAddr.getHostAddress()
        + " <-> "
        + serverNs
        + " "
        + serverAddr.getHostAddress();
  }
}
