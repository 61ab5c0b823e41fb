package tcplab.draw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** One failure rule: tables and ladders colour the same rows. */
@Timeout(10)
class FailureTest {
  private static final List<String> FAILURES =
      List.of(
          "-1 ECONNRESET (104)",
          "-1 EPIPE (32)",
          "-1 EADDRINUSE (98)",
          "java.net.SocketException: Connection reset",
          "blocked, timed out after 500 ms",
          "not run: an earlier call blocked",
          "no return: the process died",
          "MISMATCH: expected 5");
  private static final List<String> FINE =
      List.of(
          "5",
          "0",
          "-1 (end of stream)",
          "5 \"hello\"",
          "killed by SIGKILL (exit status 137)",
          "returned",
          "ESTABLISHED",
          "");

  @Test
  void theRuleNamesErrorsExceptionsBlocksAndMismatchesNotEndOfStreamOrAnOrderedCrash() {
    FAILURES.forEach(v -> assertTrue(Failure.is(v), v));
    FINE.forEach(v -> assertFalse(Failure.is(v), v));
    assertFalse(Failure.is(null));
  }

  @Test
  void theTableAndTheLadderColourTheSameRows() {
    List<String> views = new ArrayList<>(FAILURES);
    views.addAll(FINE);
    int n = views.size();
    DoubleColumn t = DoubleColumn.create("t (ms)");
    StringColumn side = StringColumn.create("side");
    StringColumn call = StringColumn.create("call (C terms)");
    StringColumn state = StringColumn.create("states after (C run)");
    for (int i = 0; i < n; i++) {
      t.append(i);
      side.append(i % 2 == 0 ? "client" : "server");
      call.append("read(fd, buf, " + i + ")");
      state.append("client ESTABLISHED · server ESTABLISHED");
    }
    Table calls =
        Table.create(
            "calls",
            t,
            side,
            call,
            StringColumn.create("C view: returned, errno", views),
            StringColumn.create("Java view", views),
            state);

    String[] rows = Html.table(calls).split("<tr>");
    List<Boolean> table = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      String[] cells =
          rows[r + 2].split("<td "); // rows[0] is before the header, rows[1] the header
      table.add(cells[4].contains("#b00020")); // t, side, call, then the C view
    }
    List<Boolean> ladder =
        Ladder.marks(calls).stream()
            .filter(m -> !m.text().startsWith("→")) // state changes are not calls
            .map(Ladder.Mark::failure)
            .toList();
    assertEquals(table, ladder);
    assertEquals(FAILURES.size(), table.stream().filter(b -> b).count());
  }
}
