package tcplab.net;

import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import java.io.BufferedReader;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tcplab.proc.ChildJvm;
import tcplab.proc.Daemons;

/**
 * The private host's side of {@link PrivateHost}: brings its loopback up, warms up, says {@code
 * HELLO}, then plays one {@code PLAY} line at a time on a worker thread while the main thread keeps
 * reading its standard input: at end-of-file (the parent is gone or closed it) it halts at once, in
 * the middle of a play if need be.
 */
public final class PrivateHostChild {
  private PrivateHostChild() {}

  private static PrintStream wire;

  /** Entry point; the arguments name classes whose static {@code warmUp()} runs before HELLO. */
  public static void main(String[] args) throws Exception {
    wire = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    System.setOut(System.err); // library chatter must not reach the protocol
    String lo = Loopback.up();
    if (!lo.isEmpty()) {
      System.err.println("private host: " + lo);
    }
    for (String c : args) {
      try {
        Method m = Class.forName(c).getDeclaredMethod("warmUp");
        m.setAccessible(true);
        m.invoke(null);
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        System.err.println("private host: warm-up of " + c + " failed: " + e);
      }
    }
    send("HELLO\t" + ProcessHandle.current().pid() + "\t" + ChildJvm.esc(lo));
    ExecutorService worker =
        Executors.newSingleThreadExecutor(Daemons.named("tcplab-private-play"));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] f = line.split("\t", 3);
      if (f.length == 3 && f[0].equals("PLAY")) {
        String entry = ChildJvm.unesc(f[1]);
        String payload = ChildJvm.unesc(f[2]);
        worker.execute(() -> play(entry, payload));
      }
    }
    Runtime.getRuntime()
        .halt(0); // end-of-file: the parent is gone; the namespaces die with this process
  }

  private static void play(String entry, String payload) {
    try {
      Method m =
          Class.forName(entry).getDeclaredMethod("playInChild", String.class, Consumer.class);
      m.setAccessible(true);
      Consumer<String> emit = line -> send("L\t" + ChildJvm.esc(String.valueOf(line)));
      Object r = m.invoke(null, payload, emit);
      send("R\t" + ChildJvm.esc(String.valueOf(r)));
    } catch (InvocationTargetException e) {
      fail(e.getCause());
    } catch (ReflectiveOperationException e) {
      fail(
          new IllegalStateException(
              "the private host cannot call " + entry + ".playInChild(String, Consumer): " + e, e));
    } catch (Throwable e) {
      fail(e);
    }
  }

  private static void fail(Throwable e) {
    e.printStackTrace();
    String message = e.getMessage() != null ? e.getMessage() : e.toString();
    send("E\t" + e.getClass().getName() + "\t" + ChildJvm.esc(message));
  }

  private static void send(String line) {
    synchronized (PrivateHostChild.class) {
      wire.print(line + "\n");
      wire.flush();
    }
  }

  /**
   * Brings up the loopback interface of this network namespace (ioctl SIOCSIFFLAGS through JNA,
   * else ip).
   */
  static final class Loopback {
    private Loopback() {}

    /** "" when lo is up, else why not. */
    static String up() {
      try {
        NativeLibrary c = NativeLibrary.getInstance("c");
        int fd = c.getFunction("socket").invokeInt(new Object[] {2, 2, 0}); // AF_INET, SOCK_DGRAM
        if (fd < 0) {
          return viaIp("socket() failed");
        }
        try (Memory ifr = new Memory(40)) {
          ifr.clear();
          ifr.setString(0, "lo");
          if (c.getFunction("ioctl").invokeInt(new Object[] {fd, 0x8913L, ifr})
              != 0) { // SIOCGIFFLAGS
            return viaIp("SIOCGIFFLAGS failed");
          }
          ifr.setShort(16, (short) (ifr.getShort(16) | 0x1)); // IFF_UP
          if (c.getFunction("ioctl").invokeInt(new Object[] {fd, 0x8914L, ifr})
              != 0) { // SIOCSIFFLAGS
            return viaIp("SIOCSIFFLAGS failed");
          }
          return "";
        } finally {
          c.getFunction("close").invokeInt(new Object[] {fd});
        }
      } catch (RuntimeException | LinkageError e) {
        return viaIp("JNA: " + e);
      }
    }

    private static String viaIp(String why) {
      for (String ip : new String[] {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
        if (new File(ip).canExecute()) {
          try {
            Process p =
                new ProcessBuilder(ip, "link", "set", "lo", "up").redirectErrorStream(true).start();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
              return "";
            }
            p.destroyForcibly();
            return "the loopback is down (" + why + "; ip link set lo up failed)";
          } catch (Exception e) {
            return "the loopback is down (" + why + "; " + e + ")";
          }
        }
      }
      return "the loopback is down (" + why + "; no ip)";
    }
  }
}
