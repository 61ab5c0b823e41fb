package tcplab;

import static tcplab.ResetOrPipe.CALL_MILLIS;
import static tcplab.ResetOrPipe.MESSAGE;
import static tcplab.ResetOrPipe.TIMED_OUT;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import tcplab.observe.CRead;
import tcplab.observe.CResult;
import tcplab.observe.CView;

/**
 * The two calls of {@link ResetOrPipe} (one 19-byte write, one read) in the C view and in the Java
 * view.
 */
final class PeerCalls {
  private PeerCalls() {}

  /** One 19-byte write ("" = it succeeded) or one read, as short result names. */
  interface Io {
    /**
     * "" when all 19 bytes were written; else "ECONNRESET", "EPIPE", "timed out" or another short
     * name.
     */
    String write();

    /** "0 (EOF)", "ECONNRESET", "timed out", "n bytes" or another short name. */
    String read();
  }

  /** The C view: write() after poll(POLLOUT) and recv() after poll(POLLIN), with errno. */
  record CIo(int fd) implements Io {
    @Override
    public String write() {
      CResult r = CView.write(fd, MESSAGE, CALL_MILLIS);
      if (r.errno() == CResult.EAGAIN) {
        return TIMED_OUT;
      }
      return r.failed()
          ? r.errnoName()
          : r.value() == MESSAGE.length ? "" : "short write " + r.value();
    }

    @Override
    public String read() {
      CRead r = CView.recv(fd, 1024, 0, CALL_MILLIS);
      CResult v = r.result();
      if (v.errno() == CResult.EAGAIN) {
        return TIMED_OUT;
      }
      return v.failed() ? v.errnoName() : v.value() == 0 ? "0 (EOF)" : v.value() + " bytes";
    }
  }

  /** The Java view: java.net.Socket streams; the result names come from the exception messages. */
  record JavaIo(Socket s) implements Io {
    @Override
    public String write() {
      try {
        s.getOutputStream().write(MESSAGE);
        return "";
      } catch (IOException e) {
        return name(e);
      }
    }

    @Override
    public String read() {
      try {
        s.setSoTimeout(CALL_MILLIS);
        int n = s.getInputStream().read(new byte[1024]);
        return n < 0 ? "0 (EOF)" : n + " bytes";
      } catch (SocketTimeoutException e) {
        return TIMED_OUT;
      } catch (IOException e) {
        return name(e);
      }
    }

    private static String name(IOException e) {
      String m = String.valueOf(e.getMessage());
      if (m.startsWith(
          "Connection reset")) { // "Connection reset" (read) or "Connection reset by peer" (write)
        return "ECONNRESET";
      }
      return m.equals("Broken pipe") ? "EPIPE" : e.getClass().getSimpleName() + ": " + m;
    }
  }
}
