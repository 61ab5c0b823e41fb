package tcplab;

import tcplab.draw.Display;
import tcplab.net.PrivateHost;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.ProcSelf;
import tcplab.proc.Processes;
import tcplab.text.Text;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The lab's one obvious entry point for "what can this machine show me?", and its resource
 * counters.
 */
public final class Lab {
  private Lab() {}

  /**
   * The language of the lab's tables, ladders, notes and parameter messages from now on: {@code
   * "en"} (English) or {@code "zh"} (中文). Without this call the lab follows the kernel's locale
   * (Chinese for a zh locale, else English). Errno names, C calls and Java exception messages stay
   * as the system prints them. Anything else stops the cell with one sentence naming {@code tag}
   * and the allowed values.
   */
  public static void language(String tag) {
    try {
      Text.use(tag);
    } catch (IllegalArgumentException e) {
      throw new ParameterProblem(e.getMessage());
    }
  }

  /** What this machine and kernel allow: one row per capability, with what happens without it. */
  public static Table about() {
    StringColumn what = StringColumn.create("what");
    StringColumn here = StringColumn.create("here");
    StringColumn without = StringColumn.create("without it");
    add(
        what,
        here,
        without,
        "Jupyter kernel",
        Display.kernel().toString().toLowerCase(),
        "tables print as text");
    add(
        what,
        here,
        without,
        "Java",
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        "");
    add(
        what,
        here,
        without,
        "operating system",
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        "");
    add(
        what,
        here,
        without,
        "user",
        System.getProperty("user.name") + (isRoot() ? " (root)" : " (not root)"),
        "");
    add(
        what,
        here,
        without,
        "C view (libc calls through JNA)",
        CView.unavailableReason().orElse("yes"),
        "the C column says \"not observable here\"; the Java view still works");
    add(
        what,
        here,
        without,
        "socket states (/proc/net/tcp)",
        ProcNetTcp.available() ? "yes" : "no",
        "no states column, no waits for observable states");
    add(
        what,
        here,
        without,
        "packet capture",
        Capture.backend() != Capture.Backend.NONE
            ? "yes"
            : PrivateHost.available() && !isRoot()
                ? "yes, in the private host"
                : Capture.unavailableReason().orElse("no"),
        "ladders show calls and states only, and say so in their title");
    add(
        what,
        here,
        without,
        "private host (own network namespace, unprivileged)",
        !PrivateHost.available()
            ? PrivateHost.why()
            : isRoot()
                ? "yes (unused: as root, scenarios play in this JVM)"
                : "yes: scenarios play there, where capture is allowed",
        "as a normal user, scenarios play on the machine's loopback, without packets");
    add(
        what,
        here,
        without,
        "crashing peers (bash, child JVMs)",
        Processes.onPath("bash").isPresent() ? "yes" : "no bash",
        "the reset-or-pipe sweep cannot run");
    return Table.create("what this machine allows", what, here, without);
  }

  /**
   * One short line a notebook shows at its top: which capture case applies here (in this JVM with a
   * packet socket, the lab's capture tool, tcpdump), or why there are no packets and the exact
   * command that turns them on. Example: "packets: yes, captured in this JVM (packet socket, root
   * of a user namespace)".
   */
  public static String packets() {
    return Text.shown(ScenarioHost.packets());
  }

  /**
   * What this JVM holds right now: open file descriptors, live threads, child processes. Equal
   * numbers before and after re-running a cell mean the cell left nothing behind. The private host,
   * which stays for the next scenario on purpose, is not counted as a child; it is named when it
   * runs.
   */
  public static String resources() {
    long fds = ProcSelf.fds();
    long host = PrivateHost.pid();
    return "fds="
        + (fds < 0 ? "?" : fds)
        + " threads="
        + Thread.activeCount()
        + " children="
        + ProcessHandle.current()
            .children()
            .filter(ProcessHandle::isAlive)
            .filter(p -> p.pid() != host)
            .count()
        + (host > 0 ? " (private host: pid " + host + ")" : "");
  }

  static boolean isRoot() {
    return ProcSelf.isRoot()
        .orElse("root".equals(System.getProperty("user.name"))); // not Linux: guess by name
  }

  private static void add(
      StringColumn a, StringColumn b, StringColumn c, String what, String here, String without) {
    a.append(what);
    b.append(here);
    c.append(here.equals("yes") ? "" : without);
  }
}
