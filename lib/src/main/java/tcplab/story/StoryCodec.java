package tcplab.story;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tcplab.Wire;
import tcplab.proc.ChildJvm;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A story and its result as text, for the trip to a child JVM and back. A story is its record's
 * simple name and its component values, tab-separated ({@code "UnackedData\t2000"}, {@code
 * "TimeToDetect\t1,2\t500\t500"}); any record of this package with int, int[] or String components
 * travels without a line of its own here. A result is the table as lines ({@code #N} name, {@code
 * #T} typed column names, {@code #R} cells per row), the same for the packets after {@code
 * ==packets}, then the ladder and the note, one escaped line each.
 */
public final class StoryCodec {
  private StoryCodec() {}

  /** "Name\tvalue\tvalue..." for a story record. */
  public static String payload(Story story) {
    if (!(story instanceof Record r)) {
      throw new IllegalArgumentException(
          "a story that travels must be a record; got " + story.getClass() + ".");
    }
    StringBuilder b = new StringBuilder(story.getClass().getSimpleName());
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read " + c.getName() + " of " + story, e);
      }
      String s =
          v instanceof int[] a
              ? String.join(",", Arrays.stream(a).mapToObj(Integer::toString).toList())
              : String.valueOf(v);
      b.append('\t').append(ChildJvm.esc(s));
    }
    return b.toString();
  }

  /**
   * The story a payload names, built through its constructor (so its parameters are checked again).
   */
  public static Story story(String payload) {
    String[] p = payload.split("\t", -1);
    Class<?> k;
    try {
      k = Class.forName(StoryCodec.class.getPackageName() + "." + p[0]);
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException("no story called \"" + p[0] + "\".");
    }
    if (!k.isRecord() || !Story.class.isAssignableFrom(k)) {
      throw new IllegalArgumentException("no story called \"" + p[0] + "\".");
    }
    RecordComponent[] cs = k.getRecordComponents();
    if (p.length - 1 != cs.length) {
      throw new IllegalArgumentException(
          p[0] + " takes " + cs.length + " values; got " + (p.length - 1) + ".");
    }
    Class<?>[] types = new Class<?>[cs.length];
    Object[] args = new Object[cs.length];
    for (int i = 0; i < cs.length; i++) {
      types[i] = cs[i].getType();
      String v = ChildJvm.unesc(p[i + 1]);
      args[i] =
          types[i] == int.class
              ? (Object) Integer.parseInt(v)
              : types[i] == int[].class
                  ? (v.isEmpty()
                      ? new int[0]
                      : Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray())
                  : v;
    }
    try {
      Constructor<?> ctor = k.getDeclaredConstructor(types);
      return (Story) ctor.newInstance(args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException re
          ? re
          : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build " + p[0] + ": " + e, e);
    }
  }

  // ---------------------------------------------------------------- results

  /**
   * A played story's result as text (the raw packet list stays behind: the packets table travels).
   */
  public static String result(Wire w) {
    List<String> out = new ArrayList<>(toLines(w.table()));
    if (w.packets() != null) {
      out.add("==packets");
      out.addAll(toLines(w.packets()));
    }
    out.add("==svg\t" + ChildJvm.esc(w.svg()));
    out.add("==text\t" + ChildJvm.esc(w.text()));
    if (w.note() != null) {
      out.add("==note\t" + ChildJvm.esc(w.note()));
    }
    return String.join("\n", out);
  }

  /** The result {@link #result} wrote. */
  public static Wire wire(String text) {
    List<String> table = new ArrayList<>(), packets = new ArrayList<>();
    String svg = "", ladder = "", note = null;
    List<String> into = table;
    for (String line : text.split("\n", -1)) {
      if (line.equals("==packets")) {
        into = packets;
      } else if (line.startsWith("==svg\t")) {
        svg = ChildJvm.unesc(line.substring(6));
      } else if (line.startsWith("==text\t")) {
        ladder = ChildJvm.unesc(line.substring(7));
      } else if (line.startsWith("==note\t")) {
        note = ChildJvm.unesc(line.substring(7));
      } else {
        into.add(line);
      }
    }
    return new Wire(
        fromLines("?", table),
        packets.isEmpty() ? null : fromLines("packets", packets),
        List.of(),
        svg,
        ladder,
        note);
  }

  /**
   * A table as lines: {@code #N name}, {@code #T} + typed column names, {@code #R} + cells per row.
   */
  public static List<String> toLines(Table t) {
    List<String> out = new ArrayList<>();
    out.add("#N\t" + ChildJvm.esc(t.name()));
    StringBuilder head = new StringBuilder("#T");
    for (Column<?> c : t.columns()) {
      head.append('\t')
          .append(c instanceof DoubleColumn ? "D:" : c instanceof IntColumn ? "I:" : "S:")
          .append(ChildJvm.esc(c.name()));
    }
    out.add(head.toString());
    for (int r = 0; r < t.rowCount(); r++) {
      StringBuilder b = new StringBuilder("#R");
      for (int i = 0; i < t.columnCount(); i++) {
        Column<?> c = t.column(i);
        String v =
            c instanceof DoubleColumn d
                ? (d.isMissing(r) ? "" : Double.toString(d.getDouble(r)))
                : c instanceof IntColumn ic
                    ? (ic.isMissing(r) ? "" : Integer.toString(ic.getInt(r)))
                    : c.getString(r);
        b.append('\t').append(ChildJvm.esc(v));
      }
      out.add(b.toString());
    }
    return out;
  }

  /**
   * The table in {@code lines} (other lines are ignored); named by its #N line, else {@code name}.
   */
  public static Table fromLines(String name, List<String> lines) {
    String n = name;
    String[] cols = null;
    List<Column<?>> columns = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("#N\t")) {
        n = ChildJvm.unesc(line.substring(3));
      } else if (line.startsWith("#T\t")) {
        cols = line.split("\t", -1);
        for (int i = 1; i < cols.length; i++) {
          String c = ChildJvm.unesc(cols[i].substring(2));
          columns.add(
              cols[i].startsWith("D:")
                  ? DoubleColumn.create(c)
                  : cols[i].startsWith("I:") ? IntColumn.create(c) : StringColumn.create(c));
        }
      } else if (line.startsWith("#R") && cols != null) {
        String[] cells = line.split("\t", -1);
        for (int i = 0; i < columns.size(); i++) {
          String v = i + 1 < cells.length ? ChildJvm.unesc(cells[i + 1]) : "";
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
      throw new IllegalStateException(
          "no table in the child's result: " + String.join(" | ", lines));
    }
    return Table.create(n, columns.toArray(new Column<?>[0]));
  }
}
