package tcplab.net;

import static tcplab.net.Commands.COMMAND_MILLIS;
import static tcplab.net.Commands.tryRun;
import static tcplab.net.Commands.which;

import java.util.List;
import tcplab.observe.ProcSelf;

/**
 * Whether this JVM may build two hosts: root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and a working {@code
 * ip netns add}, and which of the tools ip, nft and tcpdump are installed.
 */
final class PrivilegeProbe {
  private PrivilegeProbe() {}

  /**
   * Whether namespaces work in this JVM and which tools exist (~30 ms; as root it adds and deletes
   * one probe namespace).
   */
  static TwoHosts.Privileges probe() {
    String ip = which("ip"), nft = which("nft"), tcpdump = which("tcpdump");
    String root;
    if (ip.isEmpty()) {
      root = "ip (iproute2) is not installed";
    } else if (!hasCapSysAdmin()) {
      root = "not root (no CAP_SYS_ADMIN): ip netns add would fail";
    } else {
      String name =
          "tcplab-"
              + ProcessHandle.current().pid()
              + "-probe"
              + HostNamespaces.SEQ.getAndIncrement();
      Commands.Out o = tryRun(List.of(ip, "netns", "add", name), null, COMMAND_MILLIS);
      root = o.exit() == 0 ? "" : "ip netns add refused: " + o.firstLine();
      if (o.exit() == 0) {
        tryRun(List.of(ip, "netns", "del", name), null, COMMAND_MILLIS);
      }
    }
    return new TwoHosts.Privileges(root, ip, nft, tcpdump);
  }

  private static boolean hasCapSysAdmin() {
    return ProcSelf.hasCapabilities(ProcSelf.CAP_SYS_ADMIN, ProcSelf.CAP_NET_ADMIN).orElse(false);
  }
}
