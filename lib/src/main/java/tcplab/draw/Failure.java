package tcplab.draw;

import java.util.regex.Pattern;

/**
 * The one rule that decides that a result shows a failure, so tables ({@link Html}) and ladders
 * ({@link Ladder}) colour the same rows: a C error ("-1 ECONNRESET", "-1 EADDRINUSE (98)"), a Java
 * exception, a mismatch with what Linux is expected to return, a call that blocked or timed out, a
 * process that died before it answered. Not a failure: end of stream ("-1 (end of stream)", "0"),
 * and a crash the scenario asked for ("killed by SIGKILL").
 */
public final class Failure {
  private Failure() {}

  private static final Pattern RULE =
      Pattern.compile(
          "^-1 E[A-Z]+|Exception|MISMATCH|blocked|timed out|no return: the process died|EADDRINUSE");

  /** True when {@code text} (a table cell, a call's result) reports a failure. */
  public static boolean is(String text) {
    return text != null && RULE.matcher(text).find();
  }
}
