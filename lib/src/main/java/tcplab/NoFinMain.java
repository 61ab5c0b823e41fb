package tcplab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * SKETCH of the USERNS layer: the same helpers in a child JVM under {@code unshare -rnm}, where the child is root
 * of its own user namespace. A private tmpfs on /run (its own mount namespace) lets {@code ip netns add} work
 * there (research A3b), so {@link TwoHosts} runs unchanged; the namespaces die with the child. The table comes
 * back as lines: "#T" + column names with types, then one tab-separated line per row.
 * <p>Usage (child): {@code java -cp ... tcplab.NoFinMain <helper> [int args]}, e.g. {@code blockedRead 1000}.
 * Parent: {@link #inUserNamespace(String, int...)}. Not polished: no streaming of partial rows, one deadline.
 */
public final class NoFinMain {
  private NoFinMain() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: NoFinMain <helper> [int args]: blockedRead, retransmitUntilTimeout, timeToDetect, "
          + "shortOutageLosesNothing, idleThenWrite, unackedData, readerWithoutKeepalive, readerWithKeepalive, "
          + "listensAgain");
      System.exit(2);
    }
    int[] a = Arrays.stream(args).skip(1).mapToInt(Integer::parseInt).toArray();
    Table t = helper(args[0], a);
    for (String line : toLines(t)) {
      System.out.println(line);
    }
    System.out.flush();
    System.exit(0); // the shutdown hook deletes what is left; the namespaces die with us anyway
  }

  static Table helper(String name, int[] a) {
    return switch (name) {
      case "blockedRead" -> NoFin.blockedRead(arg(a, 0, 1000));
      case "retransmitUntilTimeout" -> NoFin.retransmitUntilTimeout(arg(a, 0, 3));
      case "timeToDetect" -> NoFin.timeToDetect();
      case "shortOutageLosesNothing" -> NoFin.shortOutageLosesNothing(arg(a, 0, 500));
      case "idleThenWrite" -> Reboot.idleThenWrite();
      case "unackedData" -> Reboot.unackedData(arg(a, 0, 2000));
      case "readerWithoutKeepalive" -> Reboot.readerWithoutKeepalive(arg(a, 0, 1500));
      case "readerWithKeepalive" -> Reboot.readerWithKeepalive();
      case "listensAgain" -> Reboot.listensAgain();
      default -> throw new IllegalArgumentException("no helper called \"" + name + "\".");
    };
  }

  private static int arg(int[] a, int i, int dflt) {
    return i < a.length ? a[i] : dflt;
  }

  /** Runs one helper in a child JVM under unshare -rnm (about 1 s of JVM start on top); 60 s deadline. */
  public static Table inUserNamespace(String helper, int... args) {
    String unshare = TwoHosts.which("unshare");
    if (unshare.isEmpty()) {
      throw new IllegalStateException("unshare (util-linux) is not installed");
    }
    List<String> cmd = new ArrayList<>(List.of(unshare, "-rnm", "sh", "-c",
        "mount -t tmpfs tmpfs /run && exec \"$0\" \"$@\"",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), NoFinMain.class.getName(), helper));
    for (int x : args) {
      cmd.add(Integer.toString(x));
    }
    Path err = null;
    try {
      err = java.nio.file.Files.createTempFile("tcplab-userns", ".err");
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      List<String> lines = new ArrayList<>();
      Thread reader = new Thread(() -> new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
          java.nio.charset.StandardCharsets.UTF_8)).lines().forEach(lines::add), "tcplab-userns-reader");
      reader.setDaemon(true);
      reader.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the child JVM under unshare -rnm did not finish within 60 s");
      }
      reader.join(2000);
      if (p.exitValue() != 0 || lines.isEmpty()) {
        throw new IllegalStateException("the child JVM under unshare -rnm failed (exit " + p.exitValue() + "): "
            + String.join("\n", lines) + "\n" + java.nio.file.Files.readString(err).strip());
      }
      return fromLines(helper + " (in a user namespace)", lines);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("could not start " + String.join(" ", cmd.subList(0, 3)) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      if (err != null) {
        err.toFile().delete();
      }
    }
  }

  static List<String> toLines(Table t) {
    List<String> out = new ArrayList<>();
    StringBuilder head = new StringBuilder("#T");
    for (Column<?> c : t.columns()) {
      head.append('\t').append(c instanceof DoubleColumn ? "D:" : "S:").append(esc(c.name()));
    }
    out.add(head.toString());
    for (int r = 0; r < t.rowCount(); r++) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < t.columnCount(); i++) {
        b.append(i == 0 ? "" : "\t").append(esc(t.column(i).getString(r)));
      }
      out.add(b.toString());
    }
    return out;
  }

  static Table fromLines(String name, List<String> lines) {
    int h = 0;
    while (h < lines.size() && !lines.get(h).startsWith("#T\t")) {
      h++;
    }
    if (h == lines.size()) {
      throw new IllegalStateException("no table in the child's output: " + String.join("\n", lines));
    }
    String[] cols = lines.get(h).split("\t", -1);
    List<Column<?>> columns = new ArrayList<>();
    for (int i = 1; i < cols.length; i++) {
      String n = unesc(cols[i].substring(2));
      columns.add(cols[i].startsWith("D:") ? DoubleColumn.create(n) : StringColumn.create(n));
    }
    for (String line : lines.subList(h + 1, lines.size())) {
      String[] cells = line.split("\t", -1);
      for (int i = 0; i < columns.size(); i++) {
        String v = i < cells.length ? unesc(cells[i]) : "";
        if (columns.get(i) instanceof DoubleColumn d) {
          d.append(v.isEmpty() ? Double.NaN : Double.parseDouble(v));
        } else {
          ((StringColumn) columns.get(i)).append(v);
        }
      }
    }
    return Table.create(name, columns.toArray(new Column<?>[0]));
  }

  private static String esc(String s) {
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
  }

  private static String unesc(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char n = s.charAt(++i);
        b.append(n == 't' ? '\t' : n == 'n' ? '\n' : n);
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
