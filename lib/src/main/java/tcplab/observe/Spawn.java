package tcplab.observe;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starting a program the way a C server does after fork(), so that it inherits every descriptor
 * that is not close-on-exec: posix_spawn(3) with no file actions (Java's ProcessBuilder closes
 * every descriptor above 2 in the child, so it cannot show this). Also kill(2), waitpid(2), and the
 * descriptor views /proc/PID/fd and /proc/PID/fdinfo.
 */
public final class Spawn {
  private Spawn() {}

  /** F_GETFD / F_SETFD and FD_CLOEXEC of fcntl(2); O_CLOEXEC as /proc/PID/fdinfo shows it. */
  public static final int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1, O_CLOEXEC = 02000000;

  /** Signals used by the lab. */
  public static final int SIGINT = 2, SIGKILL = 9, SIGTERM = 15;

  /** The libc calls this class needs. */
  interface Lib extends Library {
    Lib C = Native.load("c", Lib.class);

    int posix_spawn(
        IntByReference pid,
        String path,
        Pointer fileActions,
        Pointer attr,
        String[] argv,
        String[] envp);

    int kill(int pid, int sig) throws LastErrorException;

    int waitpid(int pid, IntByReference status, int options) throws LastErrorException;

    int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;
  }

  /**
   * posix_spawn(path, argv) with the caller's environment and no file actions: the child inherits
   * every descriptor that is not close-on-exec. Returns the child's pid, or (-1, error number).
   */
  public static CResult spawn(String path, String... argv) {
    CView.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException(why);
            });
    IntByReference pid = new IntByReference();
    List<String> env = new ArrayList<>();
    System.getenv().forEach((k, v) -> env.add(k + "=" + v));
    int err = Lib.C.posix_spawn(pid, path, null, null, argv, env.toArray(new String[0]));
    return err == 0 ? new CResult(pid.getValue(), 0) : new CResult(-1, err);
  }

  /** kill(pid, sig). */
  public static CResult kill(long pid, int sig) {
    return LibC.call(() -> Lib.C.kill((int) pid, sig));
  }

  /** waitpid(pid, &status, WNOHANG): the pid when it was reaped, 0 if it still runs, -1 ECHILD. */
  public static CResult reapIfChild(long pid) {
    IntByReference st = new IntByReference();
    return LibC.call(() -> Lib.C.waitpid((int) pid, st, 1));
  }

  /**
   * prctl(PR_SET_CHILD_SUBREAPER, on): while on, orphans of this process's descendants become its
   * children (so {@link #reapIfChild} can reap them) instead of PID 1's, which may never reap.
   */
  public static CResult subreaper(boolean on) {
    return LibC.call(() -> Lib.C.prctl(36, on ? 1 : 0, 0, 0, 0));
  }

  /** fcntl(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0). */
  public static CResult setCloseOnExec(int fd, boolean cloexec) {
    return LibC.call(() -> LibC.C.fcntl(fd, F_SETFD, cloexec ? FD_CLOEXEC : 0));
  }

  /**
   * The "flags:" line of /proc/PID/fdinfo/FD, octal as the kernel prints it; empty if unreadable.
   */
  public static Optional<String> fdFlags(long pid, int fd) {
    try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/fdinfo/" + fd))) {
      return lines.filter(l -> l.startsWith("flags:")).map(l -> l.substring(6).strip()).findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** True when octal fdinfo flags include O_CLOEXEC. */
  public static boolean closeOnExec(String octalFlags) {
    return (Long.parseLong(octalFlags, 8) & O_CLOEXEC) != 0;
  }

  /** One open descriptor of a process: its number and what /proc/PID/fd/N links to. */
  public record Fd(int fd, String target) {
    /** True for a socket ("socket:[inode]"). */
    public boolean socket() {
      return target.startsWith("socket:[");
    }
  }

  /** The open descriptors of {@code pid} in order; empty when /proc/PID/fd is not readable. */
  public static List<Fd> fds(long pid) {
    List<Fd> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      s.forEach(
          p -> {
            try {
              out.add(
                  new Fd(
                      Integer.parseInt(p.getFileName().toString()),
                      Files.readSymbolicLink(p).toString()));
            } catch (IOException | RuntimeException e) {
              // closed meanwhile
            }
          });
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    out.sort((a, b) -> Integer.compare(a.fd(), b.fd()));
    return out;
  }

  /** True while /proc/PID exists and is not a zombie. */
  public static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && stat.charAt(close + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }
}
