package tcplab;

import java.nio.charset.StandardCharsets;
import tcplab.engine.Side;

/**
 * One step of a scenario: a call one peer makes, or a wait for a state that can be observed.
 *
 * @param side the peer that acts
 * @param op what it does
 * @param text the bytes to write, or the state to wait for
 * @param number bytes to read, bytes to wait for, or milliseconds to pause
 * @param expected what Linux is expected to return, in C terms ("5", "0", "-1 ECONNRESET"); null if
 *     not stated
 */
public record Step(Side side, Op op, String text, int number, String expected) {

  /** What a step does; each in the lesson's words. */
  public enum Op {
    /** write(fd, data, len). */
    WRITE,
    /** send(fd, data, len, MSG_NOSIGNAL): no SIGPIPE, EPIPE only. */
    SEND_NOSIGNAL,
    /** read(fd, buf, n), bounded by the step deadline (like SO_RCVTIMEO). */
    READ,
    /** shutdown(fd, SHUT_WR): half-close, sends FIN. */
    SHUTDOWN_WRITE,
    /** shutdown(fd, SHUT_RD). */
    SHUTDOWN_READ,
    /** close(fd): FIN, or RST when unread data is left. */
    CLOSE,
    /** SO_LINGER {1, 0} then close(fd): RST, no FIN. */
    CLOSE_RESET,
    /** The peer's process is killed with SIGKILL: its kernel closes the socket. */
    CRASH,
    /** Wait until the peer's receive queue (Recv-Q) holds at least n unread bytes. */
    AWAIT_UNREAD,
    /** Wait until the peer's send queue (Send-Q) holds at most n bytes (0 = all ACKed). */
    AWAIT_SEND_QUEUE,
    /** Wait until the peer's socket reaches a TCP state (e.g. CLOSE_WAIT). */
    AWAIT_STATE,
    /** Sleep n ms: only where the lesson itself pauses. */
    PAUSE
  }

  /** True for steps that wait instead of calling into the socket. */
  public boolean isWait() {
    return op == Op.AWAIT_UNREAD
        || op == Op.AWAIT_SEND_QUEUE
        || op == Op.AWAIT_STATE
        || op == Op.PAUSE;
  }

  /** The bytes of a write. */
  public byte[] data() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The call in C terms, with its arguments. */
  public String call() {
    return switch (op) {
      case WRITE -> "write(fd, " + quoted() + ", " + data().length + ")";
      case SEND_NOSIGNAL -> "send(fd, " + quoted() + ", " + data().length + ", MSG_NOSIGNAL)";
      case READ -> "read(fd, buf, " + number + ")";
      case SHUTDOWN_WRITE -> "shutdown(fd, SHUT_WR)";
      case SHUTDOWN_READ -> "shutdown(fd, SHUT_RD)";
      case CLOSE -> "close(fd)";
      case CLOSE_RESET -> "setsockopt(SO_LINGER {1,0}); close(fd)";
      case CRASH -> "kill -9 (the " + side + " process crashes)";
      case AWAIT_UNREAD -> "wait until Recv-Q >= " + number + " (unread bytes)";
      case AWAIT_SEND_QUEUE ->
          "wait until Send-Q <= " + number + (number == 0 ? " (all ACKed)" : "");
      case AWAIT_STATE -> "wait until state = " + text;
      case PAUSE -> "pause " + number + " ms";
    };
  }

  private String quoted() {
    String t = text.length() > 12 ? text.substring(0, 9) + "..." : text;
    return "\"" + t.replace("\n", "\\n") + "\"";
  }

  /** The same step with an expected C result. */
  Step expecting(String c) {
    return new Step(side, op, text, number, c);
  }

  /** True when {@code observed} (a C view text) is what {@link #expected} says. */
  boolean matches(String observed) {
    if (expected == null) {
      return true;
    }
    return observed.equals(expected) || observed.startsWith(expected + " ");
  }
}
