package tcplab;

import java.time.Duration;
import java.util.Map;
import tcplab.net.PrivateHost;
import tcplab.story.ZeroWindow;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Notebook 08, a receiver that stops reading but does not die: a paused process (SIGSTOP) or a
 * program that never calls read(). The writer fills its send buffer and the receiver's receive
 * buffer, the receiver's kernel advertises a zero window, the writer's kernel sends zero-window
 * (persist) probes that the receiver's kernel answers, and the writer's write() blocks with no
 * error. Unlike a cut cable ({@link NetworkCut}), the kernel never gives up by itself: only a
 * deadline, TCP_USER_TIMEOUT or an application heartbeat ends the wait.
 *
 * <p>The runs with packets play where scenarios play ({@code TCPLAB_HOST}): in this JVM as root, in
 * the private host for an unprivileged user (so a student sees the probes too).
 */
public final class StoppedReceiver {
  private StoppedReceiver() {}

  /** Smallest and largest SO_SNDBUF/SO_RCVBUF a notebook may ask for (Linux doubles it). */
  public static final int MIN_BUFFER = 2_048, MAX_BUFFER = 1 << 20;

  /** Longest time a run may watch the blocked writer. */
  public static final int MAX_WATCH_MS = 20_000;

  /** One run: the timeline with packets, the writes over time, and the measured facts. */
  public record Outcome(Wire wire, Table writes, Map<String, String> facts) {
    /** The timeline, the ladder, the packets, the writes table, the checks and the summary. */
    public void show() {
      Show.wire(wire);
      Show.table(writes);
      Table checks = checks();
      Show.table(checks);
      Show.note(summary());
      if (checks.stringColumn("check").contains("MISMATCH")) {
        System.err.println("MISMATCH in \"" + wire.table().name() + "\": " + summary());
      }
    }

    /**
     * What Linux is expected to do (the unit tests and the bench assert it) beside what just
     * happened, with a check per row; rows about packets say "no packets here" without capture.
     */
    public Table checks() {
      StringColumn what = StringColumn.create("what");
      StringColumn expected = StringColumn.create("expected (Linux)");
      StringColumn observed = StringColumn.create("observed");
      StringColumn check = StringColumn.create("check");
      boolean packets = wire.hasPackets();
      String zero = facts.getOrDefault("zeroWindowAt", "");
      int probes = Integer.parseInt(facts.getOrDefault("probes", "0"));
      int answered = Integer.parseInt(facts.getOrDefault("probesAnswered", "0"));
      String writer = facts.getOrDefault("writer", "");
      Object[][] rows = {
        {
          "the receiver advertises window 0",
          "yes",
          packets ? (zero.isEmpty() ? "no" : "yes, at t = " + zero + " s") : null,
          !zero.isEmpty()
        },
        {
          "the writer's kernel sends zero-window probes",
          "yes, with growing gaps",
          packets ? probes + " (gaps " + facts.getOrDefault("probeGaps", "") + " s)" : null,
          probes > 0
        },
        {
          "the receiver's kernel answers them (window 0)",
          "yes (at most one answer per tcp_invalid_ratelimit)",
          packets ? answered + " of " + probes : null,
          answered > 0
        },
        {
          "the writer at the deadline",
          "blocked in write(), no error",
          writer,
          writer.startsWith("blocked")
        },
      };
      for (Object[] r : rows) {
        what.append((String) r[0]);
        expected.append((String) r[1]);
        observed.append(r[2] == null ? "no packets here: " + wire.note() : (String) r[2]);
        check.append(
            r[2] == null ? "not observable here" : (Boolean) r[3] ? "as expected" : "MISMATCH");
      }
      if (facts.containsKey("readAfterCont")) {
        boolean all = facts.get("readAfterCont").equals(facts.get("acceptedTotal"));
        what.append("after SIGCONT the receiver reads");
        expected.append("every byte write() accepted");
        observed.append(
            facts.get("readAfterCont") + " of " + facts.get("acceptedTotal") + " bytes");
        check.append(all ? "as expected" : "MISMATCH");
      }
      return Table.create("expected beside observed", what, expected, observed, check);
    }

    /** One paragraph built from what just happened. */
    public String summary() {
      String zero = facts.getOrDefault("zeroWindowAt", "");
      return String.format(
          "Receiver %s. write() accepted %s bytes (SO_SNDBUF %s, receiver SO_RCVBUF %s)%s; "
              + "the writer: %s. %s",
          facts.get("receiver"),
          facts.get("accepted"),
          facts.get("sndbuf"),
          facts.get("rcvbuf"),
          facts.getOrDefault("fillSeconds", "").isEmpty()
              ? ""
              : ", then blocked from t = " + facts.get("fillSeconds") + " s",
          facts.get("writer"),
          wire.hasPackets()
              ? (zero.isEmpty()
                  ? "No zero window was captured."
                  : "Zero window advertised at t = "
                      + zero
                      + " s; "
                      + facts.get("probes")
                      + " zero-window probes, "
                      + facts.get("probesAnswered")
                      + " answered by a window-0 ACK (probe gaps, s: "
                      + facts.get("probeGaps")
                      + ").")
              : "No packets: " + wire.note() + ".");
    }
  }

  /**
   * The receiver reads for 0.3 s, then is paused with {@code kill -STOP}; the writer floods it and
   * is watched for {@code watchMillis}; then {@code kill -CONT}: the receiver reads everything.
   *
   * @param bufferBytes SO_SNDBUF of the writer and SO_RCVBUF of the receiver, 2048 .. 1048576
   * @param watchMillis how long to watch the blocked writer, 500 .. 20000 ms
   */
  public static Outcome paused(int bufferBytes, int watchMillis) {
    return play(true, bufferBytes, watchMillis);
  }

  /**
   * The receiver never calls read(); the writer floods it and is watched for {@code watchMillis},
   * then the lab's deadline close()s the writer's socket.
   *
   * @param bufferBytes SO_SNDBUF of the writer and SO_RCVBUF of the receiver, 2048 .. 1048576
   * @param watchMillis how long to watch the blocked writer, 500 .. 20000 ms
   */
  public static Outcome neverReads(int bufferBytes, int watchMillis) {
    return play(false, bufferBytes, watchMillis);
  }

  private static Outcome play(boolean paused, int bufferBytes, int watchMillis) {
    Parameters.requireSet();
    Check.range("bufferBytes", bufferBytes, MIN_BUFFER, MAX_BUFFER, "bytes");
    Check.range("watchMillis", watchMillis, 500, MAX_WATCH_MS, "ms");
    ZeroWindow.Stall s;
    if (ScenarioHost.choice().equals("private")) {
      String text =
          PrivateHost.play(
              ZeroWindow.class.getName(),
              ZeroWindow.payload(paused, bufferBytes, watchMillis),
              line -> {},
              Duration.ofMillis(watchMillis + 60_000L));
      s = ZeroWindow.decode(text);
    } else {
      s = ZeroWindow.stall(paused, bufferBytes, watchMillis, null);
      if (s.wire().note() != null && !Lab.isRoot() && !PrivateHost.available()) {
        s =
            new ZeroWindow.Stall(
                new Wire(
                    s.wire().table(),
                    null,
                    s.wire().raw(),
                    s.wire().svg(),
                    s.wire().text(),
                    s.wire().note()
                        + " (a private network namespace would allow capture, but "
                        + PrivateHost.why().replaceAll("\\.$", "")
                        + ")"),
                s.writes(),
                s.facts());
      }
    }
    return new Outcome(s.wire(), s.writes(), s.facts());
  }

  /**
   * What ends the wait, one fresh connection per mechanism (no packets: several connections, and
   * each mechanism is a call's result): nothing set, SO_SNDTIMEO, non-blocking send + poll,
   * TCP_USER_TIMEOUT, and a heartbeat the receiver sends (for a paused receiver, and for a program
   * whose heartbeat thread runs while its reading stalled).
   *
   * @param bufferBytes SO_SNDBUF/SO_RCVBUF, 2048 .. 1048576
   * @param waitMillis how long a wait that nothing ends is watched, 500 .. 10000 ms
   * @param sendTimeoutMillis SO_SNDTIMEO and the poll() timeout, 100 .. 10000 ms
   * @param userTimeoutMillis TCP_USER_TIMEOUT, 100 .. 10000 ms
   * @param heartbeatMillis the receiver's heartbeat period, 50 .. 2000 ms
   */
  public static Table whatEndsTheWait(
      int bufferBytes,
      int waitMillis,
      int sendTimeoutMillis,
      int userTimeoutMillis,
      int heartbeatMillis) {
    Parameters.requireSet();
    Check.range("bufferBytes", bufferBytes, MIN_BUFFER, MAX_BUFFER, "bytes");
    Check.range("waitMillis", waitMillis, 500, 10_000, "ms");
    Check.range("sendTimeoutMillis", sendTimeoutMillis, 100, 10_000, "ms");
    Check.range("userTimeoutMillis", userTimeoutMillis, 100, 10_000, "ms");
    Check.range("heartbeatMillis", heartbeatMillis, 50, 2_000, "ms");
    return ZeroWindow.endings(
        bufferBytes, waitMillis, sendTimeoutMillis, userTimeoutMillis, heartbeatMillis, null);
  }

  /**
   * The cut cable of notebook 05 beside a stopped receiver, from two runs that just happened: what
   * the writer's kernel sends, whether it is answered, the timer, and whether the kernel gives up.
   *
   * @param cut a run of {@link NetworkCut#retransmitUntilTimeout(int)}
   * @param stopped a run of {@link #paused} or {@link #neverReads}
   */
  public static Table besideCut(Wire cut, Outcome stopped) {
    Parameters.need(cut);
    Parameters.need(stopped);
    StringColumn what = StringColumn.create("");
    StringColumn c = StringColumn.create("cable cut (notebook 05): " + cut.table().name());
    StringColumn s = StringColumn.create("receiver " + stopped.facts().get("receiver"));
    Map<String, String> f = stopped.facts();
    CutFacts cf = CutFacts.of(cut);
    what.append("the peer's kernel");
    c.append("unreachable: nothing comes back");
    s.append("alive: it ACKs, with window 0");
    what.append("what the writer's kernel sends");
    c.append(cf.segments);
    s.append(
        stopped.wire().hasPackets()
            ? f.get("probes")
                + " zero-window probes (ACKs without data, one byte before the window)"
            : "no packets here: "
                + String.valueOf(stopped.wire().note())
                    .replaceFirst("^no packet capture here: ", ""));
    what.append("answered?");
    c.append(cut.hasPackets() ? "never: no segment from the server after the cut" : "—");
    s.append(
        stopped.wire().hasPackets()
            ? f.get("probesAnswered") + " of " + f.get("probes") + " probes got a window-0 ACK"
            : "—");
    what.append("timer in /proc/net/tcp");
    c.append(cf.timer);
    s.append(f.getOrDefault("timer", "") + " (ss: persist)");
    what.append("does the kernel give up?");
    c.append(cf.ended);
    s.append(
        "no: " + f.get("writer") + "; an answered probe resets the count that tcp_retries2 limits");
    what.append("what ends it");
    c.append("tcp_retries2 or TCP_USER_TIMEOUT (ETIMEDOUT), keepalive, the application");
    s.append("a deadline of the application, TCP_USER_TIMEOUT, an application heartbeat");
    return Table.create("A cut cable beside a stopped receiver (both just ran)", what, c, s);
  }

  /** What the cut run's tables show. */
  private record CutFacts(String segments, String timer, String ended) {
    static CutFacts of(Wire cut) {
      String segments =
          "no packets here: " + String.valueOf(cut.note()).replaceFirst("^no packets: ", "");
      Table p = cut.packets();
      if (p != null) {
        int data = 0;
        java.util.Set<String> seqs = new java.util.HashSet<>();
        for (Row r : p) {
          if (r.getString("from").equals("client") && r.getInt("length") > 0) {
            data++;
            seqs.add(r.getString("seq"));
          }
        }
        segments =
            data
                + " data segments, "
                + (data - seqs.size())
                + " of them retransmissions of the same bytes (backoff doubling)";
      }
      String timer = "";
      String ended = "not within the run";
      Table t = cut.table();
      for (Row r : t) {
        String st = r.getString("client state");
        if (st.contains("timer=")) {
          timer = st.substring(st.indexOf("timer=") + 6).split(" ")[0];
        }
        String res = r.getString("result");
        if (ended.startsWith("not")
            && r.getString("who").equals("client")
            && res.contains("Connection timed out")) {
          ended = String.format("yes: %s at t = %.2f s", res, r.getDouble("t (s)"));
        }
      }
      return new CutFacts(
          segments,
          !timer.isEmpty()
              ? timer
              : t.name().startsWith("[relay") ? "none shown: the relay stand-in" : "none shown",
          ended);
    }
  }
}
