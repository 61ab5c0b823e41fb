package tcplab.story;

/**
 * The lesson's timing models, printed beside what was measured: the retransmission timer (tail-loss
 * probe at 1 RTO, then 2, 4, 8 ... RTO), tcp_retries2's budget and TCP_USER_TIMEOUT. Measured in
 * the research notes (/work/shared/research): ETIMEDOUT at the first timer expiry after the budget,
 * never in between.
 */
public final class Model {
  /**
   * The kernel's minimum retransmission timeout (TCP_RTO_MIN), used by tcp_retries2's time budget.
   */
  public static final double RTO_MIN = 0.2;

  private Model() {}

  /**
   * tcp_retries2=N: the kernel checks its budget RTO_MIN*(2^(N+1)-1), counted from the first RTO
   * retransmission (2 RTO), only when the timer fires: ETIMEDOUT at the first expiry after the
   * budget.
   */
  public static double retries2(int n, double rto) {
    double budgetEnd = 2 * rto + RTO_MIN * ((1L << (n + 1)) - 1);
    double t = 2 * rto;
    while (t <= budgetEnd + 1e-9) {
      t = nextExpiry(t);
    }
    return t;
  }

  /**
   * The retransmission timer's expiry after the one at {@code t} (expiries at 1, 2, 4, 8 ... RTO;
   * step cap 120 s).
   */
  static double nextExpiry(double t) {
    return t + Math.min(t, 120);
  }

  /**
   * TCP_USER_TIMEOUT: the RTO is clamped to the budget, counted from the first RTO retransmission
   * (2 RTO).
   */
  public static double userTimeout(int millis, double rto) {
    return 2 * rto + millis / 1000.0;
  }

  /**
   * The first retransmission (TLP at 1 RTO, then 2, 4, 8 ... RTO) later than {@code seconds} after
   * the write.
   */
  public static double nextRetransmission(double seconds, double rto) {
    double t = rto;
    while (t <= seconds) {
      t = nextExpiry(t);
    }
    return t;
  }
}
