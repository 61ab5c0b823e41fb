package tcplab;

import java.time.Duration;
import java.util.stream.Collectors;
import tcplab.net.PrivateHost;

/**
 * A stand-in for a notebook kernel: plays a crash scenario with a long pause in the private host
 * and, once the server peer runs, prints {@code PIDS} and the process ids of everything it started,
 * then waits to be killed.
 */
public final class PrivateHostKillProbe {
  private PrivateHostKillProbe() {}

  public static void main(String[] args) throws Exception {
    Scenario s =
        Scenario.named("kill the kernel")
            .client()
            .write("x")
            .server()
            .awaitUnread(1)
            .server()
            .pause(10_000)
            .server()
            .crash();
    boolean[] told = {false};
    PrivateHost.play(
        ScenarioHost.class.getName(),
        s.toText(),
        row -> {
          if (!told[0]
              && row.contains("Recv-Q >= 1")) { // the server peer runs now, and waits in its pause
            told[0] = true;
            System.out.println(
                "PIDS "
                    + ProcessHandle.current()
                        .descendants()
                        .map(p -> Long.toString(p.pid()))
                        .collect(Collectors.joining(" ")));
            System.out.flush();
          }
        },
        Duration.ofSeconds(60));
  }
}
