import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Leftover check (not a test): N times, a JVM runs a no-FIN scenario and a lesson scenario with
 * capture, and is killed with SIGKILL at a random moment; then one clean run. Afterwards no tcplab
 * namespace, no tcpdump and no peer process may be left on the machine. Prints one line per check.
 * Usage: java -cp lib/target/jars/tcplab.jar tools/stress/KillMidway.java [runs]
 */
public class KillMidway {
  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp = System.getProperty("java.class.path");
    for (int i = 1; i <= runs; i++) {
      Process run = new ProcessBuilder(List.of(java, "-cp", cp, "tools/stress/KillMidwayVictim.java")).inheritIO().start();
      long at = ThreadLocalRandom.current().nextLong(200, 3000);
      TimeUnit.MILLISECONDS.sleep(at);
      run.destroyForcibly();
      run.waitFor(5, TimeUnit.SECONDS);
      System.out.println("run " + i + ": killed with SIGKILL after " + at + " ms");
    }
    Process clean = new ProcessBuilder(List.of(java, "-cp", cp, "tools/stress/KillMidwayVictim.java")).inheritIO().start();
    boolean done = clean.waitFor(60, TimeUnit.SECONDS);
    System.out.println("clean run: " + (done ? "exit " + clean.exitValue() : "did not finish"));
    int left = 0;
    for (String[] check : new String[][] {{"namespaces", "sh", "-c", "ip netns list | grep -c '^tcplab-' || true"},
        {"tcpdump processes", "sh", "-c", "pgrep -c -f '[t]cpdump -i .* --immediate-mode' || true"}, // [t]: not this sh
        {"peer processes", "sh", "-c", "pgrep -c -f '[t]cplab.PeerProcess|[t]cplab.net.PrivateHostChild' || true"},
        {"nft tables in the root namespace", "sh", "-c", "nft list tables 2>/dev/null | grep -c tcplab || true"}}) {
      Process c = new ProcessBuilder(List.of(check).subList(1, check.length)).start();
      String out = new String(c.getInputStream().readAllBytes()).trim();
      c.waitFor(10, TimeUnit.SECONDS);
      System.out.println("left behind: " + check[0] + " = " + out);
      left += out.isEmpty() ? 0 : Integer.parseInt(out);
    }
    System.out.println(left == 0 ? "1 passed, 0 failed" : "0 passed, 1 failed");
    System.exit(left == 0 ? 0 : 1);
  }
}
