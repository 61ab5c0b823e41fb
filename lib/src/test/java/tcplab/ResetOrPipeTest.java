package tcplab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tcplab.ResetOrPipe.Control;
import tcplab.ResetOrPipe.FirstCall;
import tech.tablesaw.api.Table;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResetOrPipeTest {

  private static List<String> runs(Control c, int pause, FirstCall f, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ResetOrPipe.once(c, pause, f));
    }
    return out;
  }

  private static void allAre(String expected, List<String> got) {
    assertEquals(Collections.nCopies(got.size(), expected), got);
  }

  @Test
  void unreadDataGivesResetOnWriteWhateverThePause() {
    allAre(ResetOrPipe.WRITE_RESET, runs(Control.UNREAD, 0, FirstCall.WRITE, 10));
    allAre(ResetOrPipe.WRITE_RESET, runs(Control.UNREAD, 100, FirstCall.WRITE, 10));
  }

  @Test
  void emptyQueueGivesFinThenBrokenPipe() {
    allAre(ResetOrPipe.WRITE_OK_THEN_PIPE, runs(Control.EMPTY, 0, FirstCall.WRITE, 10));
    allAre(ResetOrPipe.READ_EOF, runs(Control.EMPTY, 0, FirstCall.READ, 10));
  }

  @Test
  void unreadDataGivesResetOnRead() {
    allAre(ResetOrPipe.READ_RESET, runs(Control.UNREAD, 0, FirstCall.READ, 10));
  }

  @Test
  void javaViewGivesTheSameLabels() {
    for (int i = 0; i < 3; i++) {
      assertEquals(
          ResetOrPipe.WRITE_RESET, ResetOrPipe.once(Control.UNREAD, 0, FirstCall.WRITE, false));
      assertEquals(
          ResetOrPipe.READ_RESET, ResetOrPipe.once(Control.UNREAD, 0, FirstCall.READ, false));
      assertEquals(
          ResetOrPipe.WRITE_OK_THEN_PIPE,
          ResetOrPipe.once(Control.EMPTY, 0, FirstCall.WRITE, false));
      assertEquals(ResetOrPipe.READ_EOF, ResetOrPipe.once(Control.EMPTY, 0, FirstCall.READ, false));
    }
  }

  @Test
  void sweepHasOneRowPerPointAndLeavesNothingBehind() throws IOException {
    ResetOrPipe.once(
        Control.EMPTY, 0, FirstCall.WRITE); // load classes, JNA, threads before counting fds
    long fdsBefore = openFds();
    Table t = ResetOrPipe.sweep(2, 0, 10);
    assertEquals(12, t.rowCount(), t::print);
    List<String> names = t.columnNames();
    assertEquals(
        List.of("dying peer's receive queue", "pause (ms)", "first call"), names.subList(0, 3));
    assertEquals("verdict", names.get(names.size() - 1));
    assertTrue(
        names.contains(ResetOrPipe.WRITE_RESET)
            && names.contains(ResetOrPipe.WRITE_OK_THEN_PIPE)
            && names.contains(ResetOrPipe.READ_RESET)
            && names.contains(ResetOrPipe.READ_EOF),
        names::toString);
    for (int r = 0; r < 8; r++) { // the controlled rows (UNREAD, EMPTY) never race
      assertEquals("2/2 identical", t.stringColumn("verdict").get(r), t::print);
    }
    assertEquals(0, ProcessHandle.current().children().count(), "child processes left");
    long fdsAfter = openFds();
    assertTrue(
        Math.abs(fdsAfter - fdsBefore) <= 2, "fds before " + fdsBefore + ", after " + fdsAfter);
  }

  @Test
  void badParametersGiveOneSentence() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ResetOrPipe.sweep(0));
    assertEquals("runsPerPoint must be between 1 and 100 runs; got 0.", e.getMessage());
    assertEquals(
        "pause must be between 0 and 1000 ms; got 1001.",
        assertThrows(IllegalArgumentException.class, () -> ResetOrPipe.sweep(1, 0, 1001))
            .getMessage());
    assertEquals(
        "the number of pauses must be between 1 and 8 values; got 9.",
        assertThrows(
                IllegalArgumentException.class,
                () -> ResetOrPipe.sweep(1, 1, 2, 3, 4, 5, 6, 7, 8, 9))
            .getMessage());
    assertEquals(
        "pause must be between 0 and 1000 ms; got -1.",
        assertThrows(
                IllegalArgumentException.class,
                () -> ResetOrPipe.once(Control.EMPTY, -1, FirstCall.READ))
            .getMessage());
  }

  private static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}
