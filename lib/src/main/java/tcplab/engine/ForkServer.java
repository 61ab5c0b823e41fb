package tcplab.engine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.LibC;
import tcplab.observe.Spawn;
import tcplab.proc.Processes;

/**
 * The server process of "a forked child holds the socket" (a child JVM, so that it can be killed):
 * listens on 127.0.0.1:0, accepts one connection, then starts a child program ({@code sleep}) with
 * posix_spawn, as a C server does with fork() and exec(). Mode {@code inherit} keeps the sockets as
 * the JDK made them (not close-on-exec, as C's socket() and accept() without SOCK_CLOEXEC), mode
 * {@code cloexec} sets FD_CLOEXEC on both first. It prints one line per fact and exits when its
 * standard input ends (or on SIGINT, as {@code kill -2}).
 *
 * <pre>
 * PORT port
 * ACCEPTED listenFd connFd listenFlags connFlags listenTarget connTarget
 * SET result result flags flags (cloexec only)
 * CHILD pid | CHILD -1 errno
 * </pre>
 */
public final class ForkServer {
  private ForkServer() {}

  /** How long the spawned child sleeps at most (the lab kills it long before). */
  public static final int CHILD_SECONDS = 60;

  /** Plays the server; args: inherit|cloexec, accept deadline in ms. */
  public static void main(String[] args) throws Exception {
    boolean inherit = args[0].equals("inherit");
    int ms = Integer.parseInt(args[1]);
    try (ServerSocket listener = new ServerSocket()) {
      listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
      listener.setSoTimeout(ms);
      int port = listener.getLocalPort();
      System.out.println("PORT " + port);
      try (Socket conn = listener.accept()) {
        int cfd = CView.fdOf(conn);
        int lfd = listeningFd(port, cfd);
        long self = ProcessHandle.current().pid();
        System.out.println(
            "ACCEPTED "
                + lfd
                + " "
                + cfd
                + " "
                + Spawn.fdFlags(self, lfd).orElse("?")
                + " "
                + Spawn.fdFlags(self, cfd).orElse("?")
                + " "
                + target(lfd)
                + " "
                + target(cfd));
        if (!inherit) {
          CResult a = Spawn.setCloseOnExec(lfd, true);
          CResult b = Spawn.setCloseOnExec(cfd, true);
          System.out.println(
              "SET "
                  + a.text().replace(' ', '_')
                  + " "
                  + b.text().replace(' ', '_')
                  + " "
                  + Spawn.fdFlags(self, lfd).orElse("?")
                  + " "
                  + Spawn.fdFlags(self, cfd).orElse("?"));
        }
        String sleep = Processes.onPath("sleep").orElse("/bin/sleep");
        CResult child = Spawn.spawn(sleep, "sleep", String.valueOf(CHILD_SECONDS));
        System.out.println(
            "CHILD " + child.value() + " " + child.errno() + " " + sleep.replace(' ', '_'));
        System.out.flush();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
          // waits to be killed; ends with its standard input
        }
      }
    }
  }

  private static String target(int fd) {
    return Spawn.fds(ProcessHandle.current().pid()).stream()
        .filter(f -> f.fd() == fd)
        .map(Spawn.Fd::target)
        .findFirst()
        .orElse("?");
  }

  /** The fd of the listening socket: the socket bound to {@code port} that is not {@code cfd}. */
  private static int listeningFd(int port, int cfd) {
    for (Spawn.Fd f : Spawn.fds(ProcessHandle.current().pid())) {
      if (!f.socket() || f.fd() == cfd) {
        continue;
      }
      byte[] a = LibC.sockaddr(f.fd(), false);
      if (a != null && a.length >= 4) {
        int p = ByteBuffer.wrap(a, 2, 2).order(ByteOrder.BIG_ENDIAN).getShort() & 0xffff;
        if (p == port) {
          return f.fd();
        }
      }
    }
    throw new IllegalStateException("no listening socket on port " + port + " in this process");
  }
}
