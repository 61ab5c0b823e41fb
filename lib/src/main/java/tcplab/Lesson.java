package tcplab;

import java.lang.reflect.Method;
import java.util.SortedSet;
import java.util.TreeSet;
import tcplab.text.Text;

/**
 * The lesson's scenarios by name, each with what Linux is expected to return (C terms): what Linux
 * 6.x returned in 20 of 20 runs of independent C programs and of the lesson's own programs (the
 * expected column; `make bench` plays each one 100 times and counts the outcomes). Like a catalogue
 * of socket failures: one line of doc each.
 */
public final class Lesson {
  private Lesson() {}

  /** The names {@link #byName} knows: every scenario of this catalogue that takes no parameter. */
  public static SortedSet<String> names() {
    SortedSet<String> names = new TreeSet<>();
    for (Method m : Lesson.class.getMethods()) {
      if (m.getReturnType() == Scenario.class && m.getParameterCount() == 0) {
        names.add(m.getName());
      }
    }
    return names;
  }

  /**
   * A scenario of this catalogue by its name, e.g. "crashWithUnreadData"; one sentence for an
   * unknown name.
   */
  public static Scenario byName(String name) {
    if (name == null || !names().contains(name)) {
      throw new IllegalArgumentException(
          Text.get("param.scenario", names(), name == null ? "null" : "\"" + name + "\""));
    }
    try {
      return (Scenario) Lesson.class.getMethod(name).invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "scenario " + name + " could not be built: " + e.getCause(), e);
    }
  }

  // spotless:off: one step per line, as a notebook cell writes a scenario
  /**
   * 02: the receiver's kernel ACKed "hello", the receiver crashes before reading it: RST, data
   * lost.
   */
  public static Scenario crashWithUnreadData() {
    return crashWithUnreadData("hello");
  }

  /** 02: the same with another message. */
  public static Scenario crashWithUnreadData(String message) {
    int n = bytes(message);
    return Scenario.named("receiver crashes with ACKed but unread data")
        .client().write(message).expect(String.valueOf(n))
        .client().awaitSendQueue(0)
        .server().awaitUnread(n)
        .server().crash()
        .client().read().expect("-1 ECONNRESET")
        .client().write("again").expect("-1 EPIPE")
        .client().read().expect("0");
  }

  /**
   * 02: the receiver read everything, then crashes: FIN; read 0, the first write succeeds, the next
   * fails.
   */
  public static Scenario crashAfterReadingEverything() {
    return crashAfterReadingEverything("hello");
  }

  /** 02: the same with another message. */
  public static Scenario crashAfterReadingEverything(String message) {
    int n = bytes(message);
    return Scenario.named("receiver crashes after reading everything")
        .client().write(message).expect(String.valueOf(n))
        .server().awaitUnread(n)
        .server().read(Scenario.MAX_BYTES).expect(String.valueOf(n))
        .server().crash()
        .client().read().expect("0")
        .client().write("ping").expect("4")
        .client().write("ping").expect("-1 EPIPE")
        .client().read().expect("0");
  }

  /** 02: an application-level acknowledgement: the missing "ack 2" reveals the lost message. */
  public static Scenario applicationAck() {
    return Scenario.named("application-level acknowledgement detects the loss")
        .client().write("msg 1\n").expect("6")
        .server().read().expect("6")
        .server().write("ack 1\n").expect("6")
        .client().read().expect("6")
        .client().write("msg 2\n").expect("6")
        .server().awaitUnread(6)
        .server().crash()
        .client().read().expect("-1 ECONNRESET");
  }

  /**
   * 03: the peer closed after reading everything (FIN): read 0, a write succeeds and draws RST,
   * then EPIPE.
   */
  public static Scenario writeAfterPeerClosed() {
    return Scenario.named("write after the peer closed (FIN)")
        .client().write("req").expect("3")
        .server().read().expect("3")
        .server().close().expect("0")
        .client().awaitState("CLOSE_WAIT")
        .client().read().expect("0")
        .client().write("ping").expect("4")
        .client().write("ping").expect("-1 EPIPE")
        .client().read().expect("0");
  }

  /**
   * 03: the peer reset the connection (RST); reading first: ECONNRESET, then 0, and writes get
   * EPIPE.
   */
  public static Scenario readAfterReset() {
    return Scenario.named("read after the peer reset (RST)")
        .server().closeWithReset().expect("0")
        .client().awaitState("CLOSED")
        .client().read().expect("-1 ECONNRESET")
        .client().read().expect("0")
        .client().write("ping").expect("-1 EPIPE");
  }

  /**
   * 03: the peer reset the connection (RST); writing first: ECONNRESET (no SIGPIPE), then EPIPE.
   */
  public static Scenario writeAfterReset() {
    return Scenario.named("write after the peer reset (RST)")
        .server().closeWithReset().expect("0")
        .client().awaitState("CLOSED")
        .client().write("ping").expect("-1 ECONNRESET")
        .client().write("ping").expect("-1 EPIPE")
        .client().read().expect("0");
  }

  /** 03: close() with unread data: C sends a bare RST; Java's close sends FIN first, then RST. */
  public static Scenario closeWithUnreadData() {
    return Scenario.named("the peer closes with unread data")
        .client().write("abc").expect("3")
        .server().awaitUnread(3)
        .server().close().expect("0")
        .client().read().expect("-1 ECONNRESET")
        .client().read().expect("0")
        .client().write("ping").expect("-1 EPIPE");
  }

  /**
   * 03: the lesson's reliable_client01 against a server killed while it sleeps: "peer connection
   * closed". The lesson's sleeps (server 5 s, client 3 s) are scaled down to {@code sleepMillis}.
   */
  public static Scenario lessonServerKilled(int lessonSleepMillis) {
    int sleepMillis = Check.range("lessonSleepMillis", lessonSleepMillis, 0, 10_000, "ms");
    return Scenario.named("lesson: reliable_client01, server killed during its sleep")
        .client().write("good\n").expect("5")
        .server().read().expect("5")
        .server().crash()
        .client().pause(sleepMillis)
        .client().read().expect("0");
  }

  /**
   * 03: the lesson's second try: echo received, server killed, then "bad2" is typed: write ok, read
   * 0.
   */
  public static Scenario lessonTypeAfterKill() {
    return Scenario.named("lesson: reliable_client01, typing after the server was killed")
        .client().write("bad\n").expect("4")
        .server().read().expect("4")
        .server().write("bad\n").expect("4")
        .client().read().expect("4")
        .server().crash()
        .client().write("bad2\n").expect("5")
        .client().read().expect("0");
  }

  private static int bytes(String message) {
    if (message == null || message.isEmpty() || message.length() > 60_000) {
      throw new IllegalArgumentException(Text.get("param.message"));
    }
    return message.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  /**
   * 04: half-close: send the request, shutdown(SHUT_WR), the server reads EOF and still answers.
   */
  public static Scenario halfClose() {
    return Scenario.named("half-close: request, shutdown(SHUT_WR), reply")
        .client().write("req").expect("3")
        .client().shutdownWrite().expect("0")
        .server().read().expect("3")
        .server().read().expect("0")
        .server().write("resp").expect("4")
        .server().close().expect("0")
        .client().read().expect("4")
        .client().read().expect("0");
  }

  /** 04: writing after one's own shutdown(SHUT_WR) fails with EPIPE. */
  public static Scenario writeAfterOwnShutdown() {
    return Scenario.named("write after my own shutdown(SHUT_WR)")
        .client().shutdownWrite().expect("0")
        .client().write("more").expect("-1 EPIPE")
        .server().read().expect("0");
  }

  /** 04: shutdown(SHUT_RD) on Linux sends nothing; pending and later data are still readable. */
  public static Scenario shutdownRead() {
    return Scenario.named("shutdown(SHUT_RD) on Linux")
        .server().write("A").expect("1")
        .client().awaitUnread(1)
        .client().shutdownRead().expect("0")
        .client().read().expect("1")
        .client().read().expect("0")
        .server().write("B").expect("1")
        .client().awaitUnread(1)
        .client().read().expect("1")
        .client().write("C").expect("1");
  }

  /** 04: the orderly four-way close; the side that closes first waits in TIME_WAIT. */
  public static Scenario orderlyClose() {
    return Scenario.named("orderly close and TIME_WAIT")
        .client().close().expect("0")
        .server().read().expect("0")
        .server().awaitState("CLOSE_WAIT")
        .server().close().expect("0")
        .client().awaitState("TIME_WAIT");
  }
  // spotless:on
}
