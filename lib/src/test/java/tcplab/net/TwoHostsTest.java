package tcplab.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.HostReboot;
import tcplab.NetworkCut;
import tcplab.testing.NetnsTables;

/**
 * The root layer itself: two hosts, cut and heal, crash, per-namespace sysctl, cleanup, no
 * root-namespace change.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TwoHostsTest {
  @BeforeAll
  static void root() {
    NetnsTables.assumeRoot();
  }

  private static String root(String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of(TwoHosts.which("ip")));
    cmd.addAll(List.of(args));
    return Commands.run(cmd, null);
  }

  private static String rootRetries2() throws IOException {
    return Files.readString(Path.of("/proc/sys/net/ipv4/tcp_retries2")).trim();
  }

  @Test
  void createsTwoHostsAndLeavesNothingBehind() throws IOException {
    String links = root("-o", "link"), addrs = root("-o", "addr"), retries2 = rootRetries2();
    TwoHosts h = TwoHosts.create();
    try {
      assertEquals(
          2, HostNamespaces.ownNamespaces().size(), HostNamespaces.ownNamespaces().toString());
      assertEquals(links, root("-o", "link"), "the root namespace got no interface");
      assertEquals(addrs, root("-o", "addr"), "the root namespace got no address");
      String rootNs = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
      String c =
          h.onClient(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
      String s =
          h.onServer(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
      assertNotEquals(rootNs, c);
      assertNotEquals(rootNs, s);
      assertNotEquals(c, s);
      String cAddr =
          h.onClient(
              () ->
                  java.net.NetworkInterface.networkInterfaces()
                      .flatMap(java.net.NetworkInterface::inetAddresses)
                      .toList()
                      .toString());
      assertTrue(cAddr.contains(h.clientAddress().getHostAddress()), cAddr);
      try (TwoHosts.Connection conn = h.connect()) {
        assertEquals("ESTABLISHED", h.state(TwoHosts.Host.CLIENT, conn));
        assertEquals("ESTABLISHED", h.state(TwoHosts.Host.SERVER, conn));
      }
      h.setRetries2(TwoHosts.Host.CLIENT, 3);
      assertEquals(3, h.retries2(TwoHosts.Host.CLIENT));
      assertEquals(15, h.retries2(TwoHosts.Host.SERVER));
      h.crashServer();
      h.rebootServer();
    } finally {
      h.close();
    }
    h.close(); // twice is harmless
    assertEquals(List.of(), HostNamespaces.ownNamespaces());
    assertEquals(links, root("-o", "link"));
    assertEquals(addrs, root("-o", "addr"));
    assertEquals(retries2, rootRetries2(), "the root namespace's tcp_retries2 is untouched");
  }

  @Test
  void cutDropsEverythingAndHealDeliversIt() throws IOException {
    try (TwoHosts h = TwoHosts.create();
        TwoHosts.Connection c = h.connect()) {
      h.cut();
      assertTrue(h.isCut());
      c.client().getOutputStream().write('x');
      c.server().setSoTimeout(500);
      assertThrows(SocketTimeoutException.class, () -> c.server().getInputStream().read());
      h.heal();
      h.heal(); // twice is harmless
      c.server().setSoTimeout(3000);
      assertEquals(
          'x', c.server().getInputStream().read(), "the retransmission delivers it after the heal");
    }
  }

  @Test
  void crashMakesTheServerKernelForgetEverything() {
    try (TwoHosts h = TwoHosts.create();
        TwoHosts.Connection c = h.connect()) {
      String before = h.namespace(TwoHosts.Host.SERVER);
      h.crashServer();
      assertNotEquals(before, h.namespace(TwoHosts.Host.SERVER));
      assertFalse(
          Files.exists(Path.of("/run/netns", before)), "the old server namespace is deleted");
      assertEquals("CLOSED", h.state(TwoHosts.Host.SERVER, c));
      assertEquals("ESTABLISHED", h.state(TwoHosts.Host.CLIENT, c), "the client heard nothing");
      assertTrue(c.server().isClosed());
      h.rebootServer();
      assertEquals(
          "ESTABLISHED",
          h.state(TwoHosts.Host.CLIENT, c),
          "nothing happens until the client sends");
    }
    assertEquals(List.of(), HostNamespaces.ownNamespaces());
  }

  @Test
  void deletesLeftoversOfDeadJvms() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    String name = "tcplab-" + p.pid() + "-0-c";
    root("netns", "add", name);
    try {
      TwoHosts.create().close();
      assertFalse(Files.exists(Path.of("/run/netns", name)), name + " should have been deleted");
    } finally {
      if (Files.exists(Path.of("/run/netns", name))) {
        root("netns", "del", name);
      }
    }
  }

  @Test
  void parametersAreCheckedWithOneSentence() {
    try (TwoHosts h = TwoHosts.create()) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> h.setRetries2(TwoHosts.Host.CLIENT, 0));
      assertEquals("tcp_retries2 must be between 1 and 15 retransmissions; got 0.", e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> NetworkCut.blockedRead(5));
    assertThrows(IllegalArgumentException.class, () -> NetworkCut.retransmitUntilTimeout(9));
    assertThrows(IllegalArgumentException.class, () -> HostReboot.unackedData(-1));
  }

  @Test
  void probeSaysRootWithReasons() {
    TwoHosts.Privileges p = TwoHosts.probe();
    assertEquals("", p.root(), p.toString());
    assertTrue(p.toString().contains("[ok] root"), p.toString());
    assertEquals(List.of(), HostNamespaces.ownNamespaces(), "the probe's namespace is gone");
  }
}
