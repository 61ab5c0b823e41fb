package tcplab.observe;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The one reader of {@code /proc/PID/status} (capabilities, user id, signal masks) and of this
 * JVM's open file descriptors. Where /proc cannot be read (not Linux), the answers are empty and
 * each caller decides what that means for it.
 */
public final class ProcSelf {
  private ProcSelf() {}

  /** This JVM's status file. */
  public static final Path STATUS = Path.of("/proc/self/status");

  /** The calling thread's status file (its pending signals). */
  public static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");

  /** Capability bits (linux/capability.h). */
  public static final int CAP_NET_ADMIN = 12, CAP_NET_RAW = 13, CAP_SYS_ADMIN = 21;

  /** Signal number of SIGPIPE on Linux. */
  public static final int SIGPIPE = 13;

  /**
   * The text after {@code name:} in a status file, stripped; empty when the file or the line cannot
   * be read.
   */
  public static Optional<String> field(Path status, String name) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(name + ":")) {
          return Optional.of(line.substring(name.length() + 1).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process is gone
    }
    return Optional.empty();
  }

  /**
   * A hexadecimal mask line (CapEff, SigIgn, SigCgt, SigPnd) as bits; empty when it cannot be read.
   */
  public static OptionalLong mask(Path status, String name) {
    Optional<String> hex = field(status, name);
    try {
      return hex.isPresent()
          ? OptionalLong.of(Long.parseUnsignedLong(hex.get(), 16))
          : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * Whether this JVM's effective capabilities hold every one of {@code caps}; empty when /proc
   * cannot tell.
   */
  public static Optional<Boolean> hasCapabilities(int... caps) {
    OptionalLong eff = mask(STATUS, "CapEff");
    if (eff.isEmpty()) {
      return Optional.empty();
    }
    for (int c : caps) {
      if ((eff.getAsLong() & (1L << c)) == 0) {
        return Optional.of(false);
      }
    }
    return Optional.of(true);
  }

  /** Whether this JVM runs with effective user id 0; empty when /proc cannot tell. */
  public static Optional<Boolean> isRoot() {
    return field(STATUS, "Uid")
        .map(uids -> uids.split("\\s+")[1].equals("0")); // real, effective, saved, fs
  }

  /** SIGPIPE's disposition in a status file: "default", "ignored", "caught" or "unknown (...)". */
  public static String sigpipeDisposition(Path status) {
    OptionalLong ign = mask(status, "SigIgn");
    OptionalLong cgt = mask(status, "SigCgt");
    if (ign.isEmpty() || cgt.isEmpty()) {
      return "unknown (" + status + " cannot be read)";
    }
    long bit = 1L << (SIGPIPE - 1);
    return (cgt.getAsLong() & bit) != 0
        ? "caught"
        : (ign.getAsLong() & bit) != 0 ? "ignored" : "default";
  }

  /** True if SIGPIPE is pending for the calling thread; false where that cannot be read. */
  public static boolean sigpipePending() {
    return (mask(THREAD_STATUS, "SigPnd").orElse(0) & (1L << (SIGPIPE - 1))) != 0;
  }

  /** Open file descriptors of this JVM, -1 where /proc/self/fd cannot be read. */
  public static long fds() {
    String[] names = new File("/proc/self/fd").list();
    return names == null ? -1 : names.length;
  }

  /**
   * True when this process runs in a user namespace other than the initial one (uid_map is not the
   * identity).
   */
  static boolean inUserNamespace() {
    try {
      String map = Files.readString(Path.of("/proc/self/uid_map")).strip();
      return !map.matches("0\\s+0\\s+4294967295");
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
