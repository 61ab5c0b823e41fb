package tcplab;

/**
 * A parameter the lab cannot use. Its printout is the one sentence: no stack trace (kernels print
 * the exception's class name, message and frames; there are no frames), so a notebook shows the
 * sentence where the student looks and "Run All" still stops at this cell.
 */
final class ParameterProblem extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ParameterProblem(String sentence) {
    super(sentence);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  @Override
  public String toString() {
    return getMessage();
  }
}
