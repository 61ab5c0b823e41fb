package tcplab.proc;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Child processes of the lab (peers that crash, writers that die of SIGPIPE): find, read, reap. */
public final class Processes {
  private Processes() {}

  /**
   * The executable {@code name} on the PATH, then in the usual system folders (sbin included: ip,
   * nft and tcpdump live there), if any. The system property {@code tcplab.path} replaces the whole
   * search path (tests use it to play a machine without some tool).
   */
  public static Optional<String> onPath(String name) {
    String forced = System.getProperty("tcplab.path");
    List<String> dirs =
        new ArrayList<>(
            List.of(
                (forced != null ? forced : Objects.requireNonNullElse(System.getenv("PATH"), ""))
                    .split(File.pathSeparator)));
    if (forced == null) {
      dirs.addAll(
          List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
    }
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p.toAbsolutePath().toString());
      }
    }
    return Optional.empty();
  }

  /**
   * SIGKILLs {@code p} if it still runs and waits up to {@code millis} for the kernel to reap it.
   */
  public static void reap(Process p, int millis) {
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      p.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(p.getOutputStream());
    closeQuietly(p.getInputStream());
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // nothing left to release
    }
  }

  /**
   * A child's merged output, line by line, read by a daemon thread; lines are awaited with a
   * deadline.
   */
  public static final class Lines {
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Process process;

    public Lines(Process p) {
      this(p, p.getInputStream(), "out");
    }

    /** Reads {@code in} (the child's stdout or stderr) line by line. */
    public Lines(Process p, java.io.InputStream in, String what) {
      this.process = p;
      Thread pump =
          new Thread(
              () -> {
                try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  for (String line; (line = r.readLine()) != null; ) {
                    synchronized (all) {
                      all.add(line);
                    }
                    queue.add(line);
                  }
                } catch (IOException e) {
                  // the child is gone
                }
              },
              "tcplab-child-" + what + "-" + p.pid());
      pump.setDaemon(true);
      pump.start();
    }

    /**
     * The next line starting with {@code prefix} within {@code millis} of an idle machine's time
     * ({@link Patience}), or null.
     */
    public String poll(String prefix, int millis) throws InterruptedException {
      Patience patience = Patience.of(millis);
      for (long left; (left = patience.nextWaitMillis()) > 0; ) {
        String line = queue.poll(left, TimeUnit.MILLISECONDS);
        if (line != null && line.startsWith(prefix)) {
          return line;
        }
      }
      return null;
    }

    /**
     * Like {@link #poll}, but a missing line is an IOException that says what the child printed.
     */
    public String await(String prefix, int millis) throws IOException {
      try {
        String line = poll(prefix, millis);
        if (line == null) {
          throw new IOException(
              "the child process (pid "
                  + process.pid()
                  + ") did not say "
                  + prefix
                  + " within "
                  + millis
                  + " ms"
                  + (process.isAlive() ? "" : "; it exited with " + process.exitValue())
                  + "; it printed: "
                  + printed());
        }
        return line;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the child process");
      }
    }

    /** Every line read so far, in order. */
    public List<String> all() {
      synchronized (all) {
        return List.copyOf(all);
      }
    }

    /** Everything printed so far, joined with " | " (the last 20 lines). */
    public String printed() {
      synchronized (all) {
        return all.isEmpty()
            ? "nothing"
            : String.join(" | ", all.subList(Math.max(0, all.size() - 20), all.size()));
      }
    }
  }
}
