package tcplab;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import tcplab.engine.Rows;
import tcplab.observe.CFormat;
import tcplab.proc.ChildJvm;
import tech.tablesaw.api.Table;

/**
 * What the lesson's C programs print, shown for real (03): glibc's {@code error(status, errnum,
 * fmt, ...)} called in child processes (its standard error line and exit status), and {@code -1}
 * printed with the lesson's own format strings through libc's {@code snprintf}.
 */
public final class LessonOutput {
  private LessonOutput() {}

  /** Linux's errno for "Connection reset by peer". */
  public static final int ECONNRESET = 104;

  /** Linux's errno for "Broken pipe". */
  public static final int EPIPE = 32;

  /** Deadline for each child process in {@link #errorCalls()}: start, print, exit. */
  public static final int DEFAULT_DEADLINE_MS = 15_000;

  /** Longest deadline a notebook may ask for. */
  public static final int MAX_DEADLINE_MS = 60_000;

  /**
   * Three child processes (child JVMs) each call glibc's {@code error()}: {@code error(1,
   * ECONNRESET, "read failed")}, {@code error(0, ECONNRESET, "read failed")} and the lesson's
   * {@code error(1, 0, "usage: reliable_client01 <IPaddress>")}; one row each with what it wrote to
   * standard error and its exit status, beside what glibc documents. 15 s deadline per child.
   */
  public static Table errorCalls() {
    return errorCalls(DEFAULT_DEADLINE_MS);
  }

  /**
   * Like {@link #errorCalls()}; each child is killed after {@code deadlineMillis} (1000 .. 60000).
   */
  public static Table errorCalls(int deadlineMillis) {
    int ms = Check.range("deadlineMillis", deadlineMillis, 1000, MAX_DEADLINE_MS, "ms");
    Object[][] calls = {
      {1, ECONNRESET, "read failed"},
      {0, ECONNRESET, "read failed"},
      {1, 0, "usage: reliable_client01 <IPaddress>"}
    };
    Rows t =
        new Rows(
            "call in the child",
            "its standard error",
            "then",
            "exit status",
            "expected (glibc)",
            "check");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (Object[] c : calls) { // started together: one JVM start-up time for all three
        children.add(
            ChildJvm.start(
                CFormat.class.getName(),
                String.valueOf(c[0]),
                String.valueOf(c[1]),
                (String) c[2]));
      }
      String program =
          ChildJvm.javaBinary(); // the child's argv[0]: glibc's program_invocation_name
      for (int i = 0; i < calls.length; i++) {
        int status = (int) calls[i][0], errnum = (int) calls[i][1];
        String message = (String) calls[i][2];
        ChildJvm child = children.get(i);
        int exit = child.awaitExit(ms);
        List<String> err = child.stderrLines(1000);
        List<String> out = stdoutLines(child, exit < 0 ? 0 : 1000);
        String stdout =
            exit < 0
                ? "still running after " + ms + " ms (of an idle machine): killed"
                : out.isEmpty()
                    ? "nothing on standard output: it exited inside error()"
                    : "standard output: " + String.join(" / ", out);
        String line = err.isEmpty() ? "(nothing)" : String.join(" / ", err);
        String expectedLine =
            program + ": " + message + (errnum != 0 ? ": " + CFormat.strerror(errnum) : "");
        String expected = expectedLine + ", exit " + status;
        boolean ok = line.equals(expectedLine) && exit == status;
        t.add(
            "error(" + status + ", " + errnoName(errnum) + ", \"" + message + "\")",
            line,
            stdout,
            exit < 0 ? "none (killed)" : String.valueOf(exit),
            expected,
            ok ? "as expected" : "DIFFERENT");
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not start a child process for error(): " + e, e);
    } finally {
      for (ChildJvm c : children) {
        c.close();
      }
    }
    return t.table("glibc's error() in three child processes (program name = the child's argv[0])");
  }

  /**
   * {@code -1} (and errno texts) printed through libc's {@code snprintf} with the lesson's format
   * strings and with {@code %d %u %ld %lu}: what each C type of {@code -1} prints, beside what it
   * should.
   */
  public static Table minusOne() {
    Rows t =
        new Rows(
            "format",
            "where it is from",
            "argument passed (C type: 64-bit register)",
            "snprintf printed",
            "expected",
            "check");
    long low32 = 0xFFFF_FFFFL;
    row(
        t,
        "send into buffer %ld \\n",
        "reliable_client02 (n_written is ssize_t)",
        "ssize_t -1: 0xffffffffffffffff",
        "send into buffer %ld \n",
        -1L,
        "send into buffer -1 \n");
    row(
        t,
        "send into buffer %ld \\n",
        "the same line with an int n_written (gcc, x86-64)",
        "int -1; %ld reads 64 bits, the upper half is 0: 0x00000000ffffffff",
        "send into buffer %ld \n",
        low32,
        "send into buffer 4294967295 \n");
    row(
        t,
        "1K read for %d \\n",
        "reliable_server02",
        "int -1: 0xffffffff",
        "1K read for %d \n",
        -1,
        "1K read for -1 \n");
    row(
        t,
        "send bytes: %zu \\n",
        "reliable_server01 (write_nc is an int; it prints before it checks)",
        "int -1; %zu reads 64 bits, the upper half is 0: 0x00000000ffffffff",
        "send bytes: %zu \n",
        low32,
        "send bytes: 4294967295 \n");
    row(t, "%d", "", "int -1: 0xffffffff", "%d", -1, "-1");
    row(t, "%u", "", "int -1 read as unsigned, 32 bits", "%u", -1, "4294967295");
    row(t, "%ld", "", "long -1: 0xffffffffffffffff", "%ld", -1L, "-1");
    row(t, "%lu", "", "long -1 read as unsigned, 64 bits", "%lu", -1L, "18446744073709551615");
    row(
        t,
        "%s",
        "strerror(ECONNRESET)",
        "errno 104",
        "%s",
        CFormat.strerror(ECONNRESET),
        "Connection reset by peer");
    row(t, "%s", "strerror(EPIPE)", "errno 32", "%s", CFormat.strerror(EPIPE), "Broken pipe");
    row(
        t,
        "send error: %s (%d)",
        "the lesson's lib/log.c error(1, errno, \"send error\")",
        "strerror(104), 104",
        "send error: %s (%d)",
        CFormat.strerror(ECONNRESET),
        ECONNRESET,
        "send error: Connection reset by peer (104)");
    return t.table("-1 and errno through libc's snprintf (\\n: the format's newline)");
  }

  private static void row(
      Rows t,
      String shown,
      String where,
      String passed,
      String format,
      Object... argsThenExpected) {
    Object[] args = java.util.Arrays.copyOf(argsThenExpected, argsThenExpected.length - 1);
    String expected = (String) argsThenExpected[argsThenExpected.length - 1];
    String printed = CFormat.format(format, args);
    t.add(
        shown,
        where,
        passed,
        visible(printed),
        visible(expected),
        printed.equals(expected) ? "as expected" : "DIFFERENT");
  }

  /** The child's standard output lines until it ends (after its exit), within {@code millis}. */
  private static List<String> stdoutLines(ChildJvm child, long millis) {
    List<String> lines = new ArrayList<>();
    long end = System.nanoTime() + millis * 1_000_000L;
    try {
      for (long left; (left = (end - System.nanoTime()) / 1_000_000L) > 0; ) {
        String line = child.next(left);
        if (line != null) {
          lines.add(line);
        }
      }
    } catch (IOException e) {
      // output ended: the child exited
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return lines;
  }

  private static String visible(String s) {
    return s.replace("\n", "\\n");
  }

  private static String errnoName(int errnum) {
    return errnum == ECONNRESET ? "ECONNRESET" : errnum == EPIPE ? "EPIPE" : String.valueOf(errnum);
  }
}
