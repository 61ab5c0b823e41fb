package tcplab.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tcplab.proc.Patience;
import tcplab.proc.Processes;

/**
 * The commands that build and break the two hosts ({@code ip}, {@code nft}, {@code sysctl}), each
 * with a 5 s deadline; a command that fails throws an IllegalStateException naming it and its
 * stderr.
 */
final class Commands {
  static final long COMMAND_MILLIS = 5_000;

  private Commands() {}

  /** The path of a tool, or "" when it is not installed (see {@link Processes#onPath}). */
  static String which(String name) {
    return Processes.onPath(name).orElse("");
  }

  static String tool(String name) {
    String p = which(name);
    if (p.isEmpty()) {
      throw new IllegalStateException(
          name + " is not installed; TwoHosts needs ip (iproute2), nft (nftables) and sysctl");
    }
    return p;
  }

  static String ip(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tool("ip"));
    cmd.addAll(List.of(args));
    return run(cmd, null);
  }

  static void nft(String ns, String script) {
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
      if (!exited(p, Patience.of(millis))) {
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

  /** Whether the process ended within the patience's deadline (a busy machine: see Patience). */
  private static boolean exited(Process p, Patience patience) throws InterruptedException {
    for (long left; (left = patience.nextWaitMillis()) > 0; ) {
      if (p.waitFor(left, TimeUnit.MILLISECONDS)) {
        return true;
      }
    }
    return !p.isAlive();
  }
}
