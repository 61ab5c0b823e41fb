package tcplab.engine;

import java.io.IOException;
import tcplab.Step;
import tcplab.observe.PollView;

/**
 * After each step of the observing pass: what poll() and epoll_wait() (timeout 0) report on each
 * side's socket, "client IN OUT · server OUT". A closed socket is not polled (its fd number may
 * already name something else); a crashed server process is gone; a server process that lives is
 * asked through its command protocol.
 */
final class Ready {
  private final boolean observe;
  private final Child child;
  private final boolean[] closed = new boolean[2];
  private boolean crashed;

  Ready(boolean observe, Child child) {
    this.observe = observe;
    this.child = child;
  }

  /** Notes what a step that ran did to the sockets. */
  void after(Step step) {
    switch (step.op()) {
      case CLOSE, CLOSE_RESET -> closed(step.side());
      case CRASH -> crashed = true;
      default -> {}
    }
  }

  /** The socket of {@code side} was closed (by a step, or to unblock a call). */
  void closed(Side side) {
    closed[side.ordinal()] = true;
  }

  /** {poll text, epoll text}; both empty when this pass does not observe. */
  String[] observe(Ops.End client, Ops.End server) {
    if (!observe) {
      return new String[] {"", ""};
    }
    String[] c = local(Side.CLIENT, client);
    String[] s;
    if (child != null) {
      s = crashed ? new String[] {"process gone", "process gone"} : remote();
    } else {
      s = local(Side.SERVER, server);
    }
    return new String[] {
      "client " + c[0] + " · server " + s[0], "client " + c[1] + " · server " + s[1]
    };
  }

  private String[] local(Side side, Ops.End end) {
    if (closed[side.ordinal()] || end == null) {
      return new String[] {"closed", "closed"};
    }
    return events(end.fd());
  }

  private String[] remote() {
    if (closed[Side.SERVER.ordinal()]) {
      return new String[] {"closed", "closed"};
    }
    try {
      return child.ready(2_000);
    } catch (IOException e) {
      return new String[] {"? (" + e.getMessage() + ")", "?"};
    }
  }

  /** {poll names, epoll names} of one fd. */
  static String[] events(int fd) {
    return new String[] {PollView.names(PollView.poll(fd)), PollView.names(PollView.epoll(fd))};
  }
}
