package tcplab.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import tcplab.Step;
import tcplab.observe.CRead;
import tcplab.observe.CResult;
import tcplab.observe.CView;

/**
 * Performs one socket step on one end of a connection, as C does (real libc calls on the socket's
 * fd, through JNA) or as Java does (java.net.Socket streams), and says what happened. Used in this
 * JVM and in a crashable child process alike, so both peers behave the same way.
 */
final class Ops {
  private Ops() {}

  /** How a run talks to its sockets. */
  enum Mode {
    C,
    JAVA
  }

  /** One end of a connection owned by this JVM. */
  static final class End implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    private int fd = -1;

    End(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
    }

    int fd() {
      if (fd < 0) {
        fd = CView.fdOf(socket);
      }
      return fd;
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // already reset or closed: nothing left to release
      }
    }
  }

  /** Performs {@code step} and returns the view's text: a C return value or a Java outcome. */
  static String perform(End end, Step step, Mode mode, int deadlineMillis) {
    return mode == Mode.C ? c(end, step, deadlineMillis) : java(end, step, deadlineMillis);
  }

  private static String c(End end, Step step, int deadlineMillis) {
    int fd = end.fd();
    return switch (step.op()) {
      case WRITE -> {
        CResult r = CView.write(fd, step.data(), deadlineMillis);
        yield r.errno() == CResult.EAGAIN ? blocked(deadlineMillis) : r.text();
      }
      case SEND_NOSIGNAL -> CView.send(fd, step.data(), CView.MSG_NOSIGNAL).text();
      case READ -> {
        CRead r = CView.recv(fd, step.number(), 0, deadlineMillis);
        yield r.result().errno() == CResult.EAGAIN
            ? r.text() + ": nothing within " + deadlineMillis + " ms"
            : r.text();
      }
      case SHUTDOWN_WRITE -> CView.shutdown(fd, CView.SHUT_WR).text();
      case SHUTDOWN_READ -> CView.shutdown(fd, CView.SHUT_RD).text();
      case CLOSE -> CView.closeLastReference(fd).text();
      case CLOSE_RESET -> {
        CResult linger = CView.lingerZero(fd);
        yield linger.failed() ? "setsockopt " + linger.text() : CView.closeLastReference(fd).text();
      }
      default -> throw new IllegalArgumentException(step.op() + " is not a socket call");
    };
  }

  private static String java(End end, Step step, int deadlineMillis) {
    try {
      switch (step.op()) {
        case WRITE, SEND_NOSIGNAL -> {
          end.out.write(step.data());
          end.out.flush();
          return "returned (void)";
        }
        case READ -> {
          end.socket.setSoTimeout(deadlineMillis);
          byte[] buf = new byte[step.number()];
          int n = end.in.read(buf);
          return n < 0
              ? "-1 (end of stream)"
              : n + " \"" + new String(buf, 0, n, StandardCharsets.UTF_8) + "\"";
        }
        case SHUTDOWN_WRITE -> end.socket.shutdownOutput();
        case SHUTDOWN_READ -> end.socket.shutdownInput();
        case CLOSE -> end.socket.close();
        case CLOSE_RESET -> {
          end.socket.setSoLinger(true, 0);
          end.socket.close();
        }
        default -> throw new IllegalArgumentException(step.op() + " is not a socket call");
      }
      return "returned";
    } catch (SocketTimeoutException e) {
      return "SocketTimeoutException: " + e.getMessage() + " after " + deadlineMillis + " ms";
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  static String blocked(int deadlineMillis) {
    return "blocked, timed out after " + deadlineMillis + " ms";
  }
}
