package tcplab.engine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tcplab.observe.CRead;
import tcplab.observe.CResult;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.Spawn;
import tcplab.proc.ChildJvm;

/**
 * Plays "a forked child holds the socket" where it is called (this JVM, or the private host via
 * {@link #playInChild}): a {@link ForkServer} process accepts the client's connection and spawns a
 * child; the server is killed with SIGINT; the client looks for a FIN, a restarted server binds the
 * port; then the child is killed and both are looked at again. The result travels as text.
 */
public final class ForkRun {
  private ForkRun() {}

  /** How long the run waits for a FIN that must not come while the child lives. */
  public static final int NO_FIN_WAIT_MS = 300;

  /** How long the server JVM may take to start (a loaded machine is slow). */
  static final int START_MS = 30_000;

  /** What one run saw: the steps, the packets (or why none), and the facts tests check. */
  public record Outcome(
      List<String[]> rows, List<Capture.Packet> packets, String note, Map<String, String> facts) {}

  /** The columns of {@link Outcome#rows()}. */
  public static final String[] COLUMNS = {
    "who",
    "call (C terms)",
    "returned / errno",
    "what happened",
    "expected (Linux)",
    "/proc/net/tcp afterwards"
  };

  /** Plays the run; {@code cloexec} false = the child inherits the sockets. */
  public static Outcome play(boolean cloexec, int ms) {
    List<String[]> rows = new ArrayList<>();
    Map<String, String> facts = new LinkedHashMap<>();
    String note = Capture.unavailableReason().orElse(null);
    List<Capture.Packet> packets = List.of();
    Capture cap = null;
    long childPid = -1;
    boolean subreaper = false;
    InetAddress lo = InetAddress.getLoopbackAddress();
    ChildJvm server = null;
    try {
      server =
          ChildJvm.start(
              List.of(),
              List.of(),
              ForkServer.class.getName(),
              List.of(cloexec ? "cloexec" : "inherit", String.valueOf(ms)));
      ChildJvm srv = server;
      int port = Integer.parseInt(server.await("PORT ", START_MS).substring(5).strip());
      if (note == null) {
        try {
          cap = Capture.start("lo", port);
        } catch (RuntimeException e) {
          note = e.getMessage();
        }
      }
      try (Socket client = new Socket()) {
        client.connect(new InetSocketAddress(lo, port), ms);
        int cport = client.getLocalPort();
        int cfd = CView.fdOf(client);
        String[] a = server.await("ACCEPTED ", ms).split(" ");
        long spid = server.pid();
        String lfd = a[1], sfd = a[2];
        String states = states(port, cport);
        rows.add(
            row(
                "server (pid " + spid + ")",
                "socket(), bind(127.0.0.1:" + port + "), listen(); accept()",
                "listening fd " + lfd + ", connection fd " + sfd,
                "/proc/"
                    + spid
                    + "/fdinfo flags: fd "
                    + lfd
                    + " "
                    + a[3]
                    + ", fd "
                    + sfd
                    + " "
                    + a[4]
                    + cloexecWords(a[3], a[4]),
                "JDK 17: no O_CLOEXEC (02000000) on either socket",
                states));
        facts.put("jdkCloexec", String.valueOf(safeCloexec(a[3]) && safeCloexec(a[4])));
        if (cloexec) {
          String[] c = server.await("SET ", ms).split(" ");
          rows.add(
              row(
                  "server",
                  "fcntl("
                      + lfd
                      + ", F_SETFD, FD_CLOEXEC); fcntl("
                      + sfd
                      + ", F_SETFD, FD_CLOEXEC)",
                  c[1].replace('_', ' ') + ", " + c[2].replace('_', ' '),
                  "close-on-exec set: fdinfo flags now "
                      + c[3]
                      + ", "
                      + c[4]
                      + " (what SOCK_CLOEXEC and accept4(SOCK_CLOEXEC) give in C)",
                  "0, 0",
                  states));
        }
        String[] ch = server.await("CHILD ", ms).split(" ");
        childPid = Long.parseLong(ch[1]);
        List<Spawn.Fd> childFds = childPid > 0 ? Spawn.fds(childPid) : List.of();
        long held =
            childFds.stream()
                .filter(f -> f.target().equals(a[5]) || f.target().equals(a[6]))
                .count();
        facts.put("childSocketFds", String.valueOf(held));
        rows.add(
            row(
                "server",
                "posix_spawn(\""
                    + ch[3]
                    + "\", {\"sleep\", \""
                    + ForkServer.CHILD_SECONDS
                    + "\"}) (fork + exec)",
                childPid > 0 ? "0, child pid " + childPid : "error " + ch[2],
                "/proc/" + childPid + "/fd of the child: " + describe(childFds, a[5], a[6]),
                cloexec
                    ? "neither socket: close-on-exec closed both at exec"
                    : "both sockets inherited",
                states));
        Spawn.subreaper(true); // the orphaned child comes to this process, which reaps it
        subreaper = true;
        CResult k = Spawn.kill(spid, Spawn.SIGINT);
        boolean exited = Run.until(ms, () -> !srv.alive());
        int status = exited ? server.kill(ms) : -1;
        facts.put("serverExited", String.valueOf(exited));
        boolean listening =
            ProcNetTcp.rows().stream()
                .anyMatch(r -> r.localPort() == port && r.state().equals("LISTEN"));
        rows.add(
            row(
                "you (kill -2 " + spid + ")",
                "kill(" + spid + ", SIGINT)",
                k.text(),
                exited ? "the server exited (status " + status + ")" : "the server still runs",
                "exits (status 130 = 128 + SIGINT)",
                states(port, cport) + " · LISTEN on " + port + ": " + (listening ? "yes" : "no")));
        facts.put("listeningWhileChildLives", String.valueOf(listening));
        CRead r1 = CView.recv(cfd, 16, 0, NO_FIN_WAIT_MS);
        String got1 = readWords(r1);
        facts.put("clientReadWhileChildLives", got1);
        facts.put("clientStateWhileChildLives", Rows.state(cport, port));
        facts.put("serverEndWhileChildLives", Rows.state(port, cport));
        rows.add(
            row(
                "client",
                "poll ≤" + NO_FIN_WAIT_MS + " ms, recv(" + cfd + ", 16, MSG_DONTWAIT)",
                r1.text(),
                got1.equals("EAGAIN")
                    ? "nothing arrived: no FIN, the connection stays ESTABLISHED"
                    : got1.equals("EOF") ? "EOF: the FIN arrived" : "data",
                cloexec ? "0 (EOF): the server's exit closed the last reference" : "-1 EAGAIN",
                states(port, cport)));
        rows.add(
            restartedServer(
                lo,
                port,
                cloexec ? "0" : "-1 EADDRINUSE (the child holds the listening socket)",
                facts,
                "bindWhileChildLives"));
        double tChild = System.currentTimeMillis() / 1000.0;
        CResult k2 = childPid > 0 ? Spawn.kill(childPid, Spawn.SIGTERM) : new CResult(-1, 3);
        long cp = childPid;
        boolean childGone = cp > 0 && Run.until(ms, () -> !Spawn.running(cp));
        Spawn.reapIfChild(cp);
        rows.add(
            row(
                "you (kill " + childPid + ")",
                "kill(" + childPid + ", SIGTERM)",
                k2.text(),
                childGone ? "the child exited" : "the child still runs",
                cloexec ? "exits; it held no socket" : "exits: the sockets' last references go",
                states(port, cport)));
        CRead r2 = CView.recv(cfd, 16, 0, ms);
        String got2 = readWords(r2);
        facts.put("clientReadAfterChild", got2);
        rows.add(
            row(
                "client",
                "poll ≤" + ms + " ms, recv(" + cfd + ", 16, MSG_DONTWAIT)",
                r2.text(),
                got2.equals("EOF") ? "EOF: the FIN has arrived" : got2,
                "0 (EOF)",
                states(port, cport)));
        rows.add(restartedServer(lo, port, "0", facts, "bindAfterChild"));
        if (cap != null) {
          packets = cap.stop();
          int before = 0;
          int after = 0;
          for (Capture.Packet p : packets) {
            if (p.srcPort() == port && p.dstPort() == cport && p.flags().contains("F")) {
              if (p.epochSeconds() < tChild) {
                before++;
              } else {
                after++;
              }
            }
          }
          facts.put("finsWhileChildLived", String.valueOf(before));
          facts.put("finsAfterChildExit", String.valueOf(after));
          facts.put("clientPort", String.valueOf(cport));
          facts.put("t0", String.valueOf(packets.isEmpty() ? 0 : packets.get(0).epochSeconds()));
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("the forked-child run failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("the forked-child run was interrupted.");
    } finally {
      if (cap != null) {
        cap.close();
      }
      if (server != null) { // a run that failed half-way: the spawned child goes first
        if (childPid < 0) {
          childPid =
              server.handle().children().mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        }
        server.close();
      }
      if (childPid > 0 && Spawn.running(childPid)) {
        Spawn.kill(childPid, Spawn.SIGKILL);
        long cp = childPid;
        try {
          Run.until(2_000, () -> !Spawn.running(cp));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (childPid > 0) {
        Spawn.reapIfChild(childPid);
      }
      if (subreaper) {
        Spawn.subreaper(false);
      }
    }
    facts.put("childPid", String.valueOf(childPid));
    return new Outcome(rows, packets, note, facts);
  }

  private static String[] row(String... cells) {
    return cells;
  }

  private static boolean safeCloexec(String octal) {
    try {
      return Spawn.closeOnExec(octal);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String cloexecWords(String l, String c) {
    return safeCloexec(l) && safeCloexec(c)
        ? " (O_CLOEXEC set on both)"
        : " (O_CLOEXEC not set on both)";
  }

  private static String readWords(CRead r) {
    if (r.result().value() == 0) {
      return "EOF";
    }
    if (r.result().errno() == CResult.EAGAIN) {
      return "EAGAIN";
    }
    return r.result().failed() ? r.result().text() : "data";
  }

  private static String describe(List<Spawn.Fd> fds, String listenTarget, String connTarget) {
    if (fds.isEmpty()) {
      return "not readable";
    }
    List<String> parts = new ArrayList<>();
    int others = 0;
    for (Spawn.Fd f : fds) {
      if (f.target().equals(listenTarget)) {
        parts.add(f.fd() + " → " + f.target() + " (the listening socket)");
      } else if (f.target().equals(connTarget)) {
        parts.add(f.fd() + " → " + f.target() + " (the connection)");
      } else {
        others++;
      }
    }
    return (parts.isEmpty() ? "neither socket" : String.join(", ", parts))
        + "; "
        + others
        + " other descriptors (0-2 and what else the JVM had open without close-on-exec)";
  }

  /**
   * A restarted server binds the old port (with SO_REUSEADDR): its row, beside {@code expected};
   * the result is kept as fact {@code fact}.
   */
  private static String[] restartedServer(
      InetAddress lo, int port, String expected, Map<String, String> facts, String fact) {
    String result = bind(lo, port);
    facts.put(fact, result);
    return row(
        "restarted server",
        "setsockopt(SO_REUSEADDR, 1); bind(127.0.0.1:" + port + ")",
        result.equals("0") ? "0" : "-1 " + result,
        result.equals("0") ? "bound: the port is free" : "the port is still taken",
        expected,
        listeners(port));
  }

  private static String bind(InetAddress lo, int port) {
    try (ServerSocket again = new ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress(lo, port), 1);
      return "0";
    } catch (java.net.BindException e) {
      return e.getMessage() != null && e.getMessage().startsWith("Address already in use")
          ? "EADDRINUSE"
          : e.getMessage();
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static String states(int serverPort, int clientPort) {
    return "client "
        + Rows.state(clientPort, serverPort)
        + " · server end "
        + Rows.state(serverPort, clientPort);
  }

  private static String listeners(int port) {
    boolean l =
        ProcNetTcp.rows().stream()
            .anyMatch(r -> r.localPort() == port && r.state().equals("LISTEN"));
    return "LISTEN on " + port + ": " + (l ? "yes" : "no");
  }

  // ------------------------------------------------------------------ in the private host

  /** Called by the private host: payload "cloexec ms". */
  static String playInChild(String payload, Consumer<String> emit) {
    String[] f = payload.split(" ");
    return encode(play(Boolean.parseBoolean(f[0]), Integer.parseInt(f[1])));
  }

  /** The outcome as text. */
  public static String encode(Outcome o) {
    StringBuilder b = new StringBuilder();
    b.append("note\t").append(o.note() == null ? "\\0" : ChildJvm.esc(o.note())).append('\n');
    for (String[] r : o.rows()) {
      b.append("row");
      for (String c : r) {
        b.append('\t').append(ChildJvm.esc(c));
      }
      b.append('\n');
    }
    o.facts()
        .forEach(
            (k, v) ->
                b.append("fact\t").append(k).append('\t').append(ChildJvm.esc(v)).append('\n'));
    for (Capture.Packet p : o.packets()) {
      b.append("packet\t").append(p.toFields()).append('\n');
    }
    return b.toString();
  }

  /** The outcome back from {@link #encode}. */
  public static Outcome decode(String text) {
    String note = null;
    List<String[]> rows = new ArrayList<>();
    Map<String, String> facts = new LinkedHashMap<>();
    List<Capture.Packet> packets = new ArrayList<>();
    for (String line : text.split("\n")) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "note" -> note = f[1].equals("\\0") ? null : ChildJvm.unesc(f[1]);
        case "row" -> {
          String[] r = new String[f.length - 1];
          for (int i = 1; i < f.length; i++) {
            r[i - 1] = ChildJvm.unesc(f[i]);
          }
          rows.add(r);
        }
        case "fact" -> facts.put(f[1], ChildJvm.unesc(f[2]));
        case "packet" -> packets.add(Capture.Packet.fromFields(f, 1));
        default -> {}
      }
    }
    return new Outcome(rows, List.copyOf(packets), note, facts);
  }
}
