package tcplab.story;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import tcplab.Timeline;
import tcplab.TwoHosts;

/**
 * Interim child-JVM launcher with the API of {@code tcplab.net.PrivateHost} (branch runner), to be replaced by it:
 * runs {@code entryClass.playInChild(payload, emit)} in a child JVM under {@code unshare -rnm} with a private tmpfs
 * on /run (so {@code ip netns add} works there) and streams the emitted lines back. The child exits by itself
 * when its parent JVM is gone or its deadline (+10 s) has passed; the parent kills it after the deadline.
 */
public final class UserNsLauncher {
  private static final String PARENT = "tcplab.parent", DEADLINE = "tcplab.deadline";

  private UserNsLauncher() {}

  static String play(String entryClass, String payload, Consumer<String> onLine, Duration deadline) {
    String unshare = TwoHosts.which("unshare");
    if (unshare.isEmpty()) {
      throw new IllegalStateException("unshare (util-linux) is not installed, so there is no user-namespace layer.");
    }
    long millis = deadline.toMillis();
    List<String> cmd = new ArrayList<>(List.of(unshare, "-rnm", "sh", "-c",
        "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-D" + PARENT + "=" + ProcessHandle.current().pid(), "-D" + DEADLINE + "=" + millis));
    for (String p : new String[] {"jna.tmpdir", "java.io.tmpdir"}) {
      if (System.getProperty(p) != null) {
        cmd.add("-D" + p + "=" + System.getProperty(p));
      }
    }
    cmd.addAll(List.of("-cp", classPath(), UserNsLauncher.class.getName(), entryClass, StoryCodec.esc(payload)));
    Process p = null;
    try {
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
      p.getOutputStream().close();
      Process proc = p;
      StringBuilder err = new StringBuilder();
      Thread errPump = new Thread(() -> {
        try {
          err.append(new String(proc.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException ignored) {
          // the child is gone
        }
      }, "tcplab-child-stderr");
      errPump.setDaemon(true);
      errPump.start();
      List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
      String[] end = new String[1];
      Thread outPump = new Thread(() -> {
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(proc.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = in.readLine()) != null) {
            if (line.startsWith("#L\t")) {
              onLine.accept(StoryCodec.unesc(line.substring(3)));
            } else if (line.startsWith("#DONE\t") || line.startsWith("#E\t")) {
              end[0] = line;
            } else {
              lines.add(line);
            }
          }
        } catch (IOException ignored) {
          // the child is gone
        }
      }, "tcplab-child-stdout");
      outPump.setDaemon(true);
      outPump.start();
      if (!p.waitFor(millis, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the child JVM under unshare -rnm did not finish within " + millis
            + " ms; it printed: " + lines + "; its stderr: " + err);
      }
      outPump.join(2000);
      errPump.join(2000);
      String last = end[0];
      if (last == null || !last.startsWith("#DONE\t")) {
        String why = last == null ? "it returned no result" : StoryCodec.unesc(last.substring(3));
        throw new IllegalStateException("the child JVM under unshare -rnm failed (exit " + p.exitValue() + "): "
            + why + "; its stderr: " + err);
      }
      return StoryCodec.unesc(last.substring(6));
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + unshare + " -rnm: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the child JVM", e);
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** java.class.path plus where tcplab's own classes come from (a notebook kernel loads tcplab.jar itself). */
  static String classPath() {
    String cp = System.getProperty("java.class.path", "");
    try {
      var src = UserNsLauncher.class.getProtectionDomain().getCodeSource();
      if (src != null) {
        String own = Path.of(src.getLocation().toURI()).toString();
        if (!List.of(cp.split(java.io.File.pathSeparator)).contains(own)) {
          cp = cp.isEmpty() ? own : own + java.io.File.pathSeparator + cp;
        }
      }
    } catch (java.net.URISyntaxException | RuntimeException e) {
      // java.class.path alone
    }
    return cp;
  }

  /** Child: {@code UserNsLauncher <entryClass> <escaped payload>}. */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    watchdog();
    try {
      var m = Class.forName(args[0]).getMethod("playInChild", String.class, Consumer.class);
      Consumer<String> emit = l -> {
        synchronized (out) {
          out.println("#L\t" + StoryCodec.esc(l));
        }
      };
      String result = (String) m.invoke(null, StoryCodec.unesc(args[1]), emit);
      synchronized (out) {
        out.println("#DONE\t" + StoryCodec.esc(result));
      }
      out.flush();
      System.exit(0);
    } catch (Throwable e) {
      Throwable c = e instanceof java.lang.reflect.InvocationTargetException i ? i.getCause() : e;
      c.printStackTrace();
      out.println("#E\t" + StoryCodec.esc(Timeline.text(c)));
      out.flush();
      System.exit(1);
    }
  }

  private static void watchdog() {
    long parent = Long.getLong(PARENT, -1);
    long end = System.nanoTime() + (Long.getLong(DEADLINE, 60_000) + 10_000) * 1_000_000L;
    Thread w = new Thread(() -> {
      while (true) {
        boolean gone = parent > 0 && ProcessHandle.of(parent).map(p -> !p.isAlive()).orElse(true);
        if (gone || System.nanoTime() > end) {
          System.err.println(gone ? "tcplab child: the parent JVM is gone, exiting" : "tcplab child: deadline passed");
          Runtime.getRuntime().halt(3);
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "tcplab-child-watchdog");
    w.setDaemon(true);
    w.start();
  }
}
