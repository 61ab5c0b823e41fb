package tcplab;

import tcplab.proc.Processes;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.time.Duration;
import tcplab.net.PrivateHost;
import tcplab.proc.ChildJvm;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The USERNS layer: the ROOT-layer helpers ({@link NoFinRoot}, {@link RebootRoot}) in a child JVM under
 * {@code unshare -rnm}, where the child is root of its own user namespace. A private tmpfs on /run (its own mount
 * namespace) lets {@code ip netns add} work there (research A3b), so {@link TwoHosts} runs unchanged; every
 * namespace dies with the child.
 * <p>The table comes back on the child's stdout as lines: {@code #N name}, {@code #T} + typed column names,
 * {@code #R} + tab-separated cells per row, {@code #END}; a failure is {@code #E message} and exit 1. Deadlines: the
 * parent kills the child after its deadline; the child exits by itself after the same deadline + 10 s or as soon
 * as its parent JVM is gone. The child is always reaped, and a failure shows its message and stderr.
 * <p>Child: {@code java -cp ... tcplab.NoFinMain <helper> [args]}, e.g. {@code blockedRead 1000} or
 * {@code timeToDetect 1,2,3 1000 1000}. With {@code --api} first it calls the public, layer-dispatching entry
 * point instead (and prints {@link Layers#privileges()} on stderr): {@code NoFinMain --api blockedRead 1000}.
 */
public final class NoFinMain {
  static final String PARENT = "tcplab.parent", DEADLINE = "tcplab.deadline";
  private static final long DEFAULT_DEADLINE_MILLIS = 60_000;

  private NoFinMain() {}

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    if (args.length == 0) {
      System.err.println("usage: NoFinMain <helper> [args]: blockedRead, retransmitUntilTimeout, timeToDetect, "
          + "shortOutageLosesNothing, idleThenWrite, unackedData, readerWithoutKeepalive, readerWithKeepalive, "
          + "listensAgain");
      System.exit(2);
    }
    watchdog();
    try {
      boolean api = args[0].equals("--api"); // the public API, dispatching on the layer (for tests and scripts)
      if (api) {
        System.err.println(Layers.privileges());
      }
      String[] rest = Arrays.copyOfRange(args, api ? 2 : 1, args.length);
      Table t = api ? api(args[1], rest) : helper(args[0], rest);
      for (String line : toLines(t)) {
        out.println(line);
      }
      out.println("#END");
      out.flush();
      System.exit(0); // the shutdown hook deletes what is left; the namespaces die with us anyway
    } catch (Throwable e) {
      e.printStackTrace();
      out.println("#E\t" + esc(Timeline.text(e)));
      out.flush();
      System.exit(1);
    }
  }

  /** Exits when the parent JVM is gone or the deadline (+10 s) has passed: no child outlives its parent. */
  private static void watchdog() {
    long parent = Long.getLong(PARENT, -1);
    long end = System.nanoTime() + (Long.getLong(DEADLINE, DEFAULT_DEADLINE_MILLIS) + 10_000) * 1_000_000L;
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

  /**
   * Entry point for {@link tcplab.net.PrivateHost#play}: {@code payload} is the helper and its arguments, separated by
   * spaces ("blockedRead 1000"); returns the table as lines ({@link #toLines}).
   */
  static String playInChild(String payload, Consumer<String> emit) {
    String[] f = payload.strip().split(" +");
    Table t = helper(f[0], Arrays.copyOfRange(f, 1, f.length));
    return String.join("\n", toLines(t));
  }

  /** Runs one helper in the private host (the persistent child JVM as root of its own namespaces). */
  static Table inPrivateHost(String helper, long deadlineMillis, String... args) {
    String payload = String.join(" ", concat(helper, args));
    String lines = PrivateHost.play(NoFinMain.class.getName(), payload, line -> { }, Duration.ofMillis(deadlineMillis));
    return Layers.named(Layers.Layer.USERNS, fromLines(helper, List.of(lines.split("\n"))));
  }

  static Table helper(String name, String[] a) {
    return switch (name) {
      case "blockedRead" -> NoFinRoot.blockedRead(arg(a, 0, 1000));
      case "retransmitUntilTimeout" -> NoFinRoot.retransmitUntilTimeout(arg(a, 0, 3));
      case "timeToDetect" -> NoFinRoot.timeToDetect(a.length > 0 ? ints(a[0]) : new int[] {1, 2, 3},
          arg(a, 1, 1000), arg(a, 2, 1000));
      case "shortOutageLosesNothing" -> NoFinRoot.shortOutageLosesNothing(arg(a, 0, 500));
      case "idleThenWrite" -> RebootRoot.idleThenWrite();
      case "unackedData" -> RebootRoot.unackedData(arg(a, 0, 2000));
      case "readerWithoutKeepalive" -> RebootRoot.readerWithoutKeepalive(arg(a, 0, 1500));
      case "readerWithKeepalive" -> RebootRoot.readerWithKeepalive();
      case "listensAgain" -> RebootRoot.listensAgain();
      default -> throw new IllegalArgumentException("no helper called \"" + name + "\".");
    };
  }

  /** Like {@link #helper} through the public entry points of {@link NoFin} and {@link Reboot}. */
  static Table api(String name, String[] a) {
    return switch (name) {
      case "blockedRead" -> NoFin.blockedRead(arg(a, 0, 1000));
      case "retransmitUntilTimeout" -> NoFin.retransmitUntilTimeout(arg(a, 0, 3));
      case "timeToDetect" -> a.length == 0 ? NoFin.timeToDetect() : NoFin.timeToDetect(ints(a[0]), arg(a, 1, 1000),
          arg(a, 2, 1000));
      case "shortOutageLosesNothing" -> NoFin.shortOutageLosesNothing(arg(a, 0, 500));
      case "idleThenWrite" -> Reboot.idleThenWrite();
      case "unackedData" -> Reboot.unackedData(arg(a, 0, 2000));
      case "readerWithoutKeepalive" -> Reboot.readerWithoutKeepalive(arg(a, 0, 1500));
      case "readerWithKeepalive" -> Reboot.readerWithKeepalive();
      case "listensAgain" -> Reboot.listensAgain();
      default -> throw new IllegalArgumentException("no helper called \"" + name + "\".");
    };
  }

  private static int arg(String[] a, int i, int dflt) {
    return i < a.length ? Integer.parseInt(a[i]) : dflt;
  }

  private static int[] ints(String csv) {
    return csv.isEmpty() ? new int[0] : Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  static String csv(int[] a) {
    StringBuilder b = new StringBuilder();
    for (int x : a) {
      b.append(b.length() == 0 ? "" : ",").append(x);
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- parent side

  /** Runs one helper in a child JVM under unshare -rnm (60 s deadline); the table is named with the USERNS label. */
  public static Table inUserNamespace(String helper, int... args) {
    String[] s = new String[args.length];
    for (int i = 0; i < args.length; i++) {
      s[i] = Integer.toString(args[i]);
    }
    return run(helper, DEFAULT_DEADLINE_MILLIS, s);
  }

  /** Like {@link #inUserNamespace(String, int...)} with string arguments and a deadline. */
  static Table run(String helper, long deadlineMillis, String... args) {
    String unshare = TwoHosts.which("unshare");
    if (unshare.isEmpty()) {
      throw new IllegalStateException("unshare (util-linux) is not installed, so there is no user-namespace layer.");
    }
    List<String> wrapper = List.of(unshare, "-rnm", "sh", "-c", "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"");
    List<String> jvm = List.of("-Xmx256m", "-D" + PARENT + "=" + ProcessHandle.current().pid(),
        "-D" + DEADLINE + "=" + deadlineMillis);
    List<String> lines = new ArrayList<>();
    try (ChildJvm child = ChildJvm.start(wrapper, jvm, NoFinMain.class.getName(), concat(helper, args))) {
      long end = System.nanoTime() + deadlineMillis * 1_000_000L;
      String last = null;
      try {
        while (last == null) {
          long left = (end - System.nanoTime()) / 1_000_000L;
          String l = left > 0 ? child.next(left) : null;
          if (l == null) {
            throw new IllegalStateException("the child JVM under unshare -rnm did not finish " + helper + " within "
                + deadlineMillis + " ms; it printed: " + child.printed());
          }
          lines.add(l);
          if (l.equals("#END") || l.startsWith("#E\t")) {
            last = l;
          }
        }
      } catch (IOException ended) {
        last = null; // it exited without a table: say what it printed
      }
      if (last == null || !last.equals("#END")) {
        String why = last == null ? "it printed no table" : unesc(last.substring(3));
        throw new IllegalStateException("the child JVM under unshare -rnm failed running " + helper + ": " + why
            + "; it printed: " + child.printed());
      }
      return Layers.named(Layers.Layer.USERNS, fromLines(helper, lines));
    } catch (IOException e) {
      throw new IllegalStateException("could not start " + unshare + " -rnm: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the child JVM", e);
    }
  }

  private static List<String> concat(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all;
  }

  // ---------------------------------------------------------------- tables as lines

  static List<String> toLines(Table t) {
    List<String> out = new ArrayList<>();
    out.add("#N\t" + esc(t.name()));
    StringBuilder head = new StringBuilder("#T");
    for (Column<?> c : t.columns()) {
      head.append('\t').append(c instanceof DoubleColumn ? "D:" : c instanceof IntColumn ? "I:" : "S:")
          .append(esc(c.name()));
    }
    out.add(head.toString());
    for (int r = 0; r < t.rowCount(); r++) {
      StringBuilder b = new StringBuilder("#R");
      for (int i = 0; i < t.columnCount(); i++) {
        Column<?> c = t.column(i);
        String v = c instanceof DoubleColumn d ? (d.isMissing(r) ? "" : Double.toString(d.getDouble(r)))
            : c instanceof IntColumn ic ? (ic.isMissing(r) ? "" : Integer.toString(ic.getInt(r))) : c.getString(r);
        b.append('\t').append(esc(v));
      }
      out.add(b.toString());
    }
    return out;
  }

  /** The table in {@code lines} (other lines are ignored); named by its #N line, else {@code name}. */
  static Table fromLines(String name, List<String> lines) {
    String n = name;
    String[] cols = null;
    List<Column<?>> columns = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("#N\t")) {
        n = unesc(line.substring(3));
      } else if (line.startsWith("#T\t")) {
        cols = line.split("\t", -1);
        for (int i = 1; i < cols.length; i++) {
          String c = unesc(cols[i].substring(2));
          columns.add(cols[i].startsWith("D:") ? DoubleColumn.create(c) : cols[i].startsWith("I:")
              ? IntColumn.create(c) : StringColumn.create(c));
        }
      } else if (line.startsWith("#R") && cols != null) {
        String[] cells = line.split("\t", -1);
        for (int i = 0; i < columns.size(); i++) {
          String v = i + 1 < cells.length ? unesc(cells[i + 1]) : "";
          Column<?> c = columns.get(i);
          if (c instanceof DoubleColumn d) {
            d.append(v.isEmpty() ? Double.NaN : Double.parseDouble(v));
          } else if (c instanceof IntColumn ic) {
            if (v.isEmpty()) {
              ic.appendMissing();
            } else {
              ic.append(Integer.parseInt(v));
            }
          } else {
            ((StringColumn) c).append(v);
          }
        }
      }
    }
    if (cols == null) {
      throw new IllegalStateException("no table in the child's output: " + String.join(" | ", lines));
    }
    return Table.create(n, columns.toArray(new Column<?>[0]));
  }

  static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
  }

  static String unesc(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n == 'r' ? '\r' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
