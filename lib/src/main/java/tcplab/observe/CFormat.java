package tcplab.observe;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * glibc's printing functions, called for real through JNA: {@code snprintf} (with the caller's
 * format string and arguments of the C types the caller picks: {@link Integer} = a 32-bit int,
 * {@link Long} = a 64-bit long), {@code strerror}, and {@code error(3)} itself. {@link #main} is a
 * child process's entry: it calls {@code error(status, errnum, "%s", message)}, so its standard
 * error and exit status are glibc's.
 */
public final class CFormat {
  private CFormat() {}

  /** The three libc functions (LP64: long = 64 bits). */
  public interface Lib extends Library {
    /** The process-wide instance. */
    Lib C = Native.load("c", Lib.class);

    int snprintf(byte[] buf, long size, String format, Object... args);

    String strerror(int errnum);

    void error(int status, int errnum, String format, Object... args);
  }

  /**
   * What {@code snprintf(buf, 256, format, args...)} wrote (up to 255 bytes). The arguments are
   * passed as JNA passes them: an Integer as a C int, a Long as a C long.
   */
  public static String format(String format, Object... args) {
    byte[] buf = new byte[256];
    Lib.C.snprintf(buf, buf.length, format, args);
    return Native.toString(buf, "UTF-8");
  }

  /** glibc's {@code strerror(errnum)}. */
  public static String strerror(int errnum) {
    return Lib.C.strerror(errnum);
  }

  /**
   * Child entry: {@code STATUS ERRNUM MESSAGE}. Calls glibc's {@code error(STATUS, ERRNUM, "%s",
   * MESSAGE)}; when that returns (status 0), prints "error() returned" on standard output and exits
   * with 0.
   */
  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: CFormat STATUS ERRNUM MESSAGE");
      System.exit(2);
    }
    Lib.C.error(Integer.parseInt(args[0]), Integer.parseInt(args[1]), "%s", args[2]);
    System.out.println("error() returned");
    System.out.flush();
    System.exit(0);
  }
}
