package tcplab;

public class LessonProbe {
  public static void main(String[] a) throws Exception {
    for (Scenario s : new Scenario[] {Lesson.crashWithUnreadData(), Lesson.crashAfterReadingEverything(), Lesson.applicationAck(),
        Lesson.writeAfterPeerClosed(), Lesson.readAfterReset(), Lesson.writeAfterReset(), Lesson.closeWithUnreadData(),
        Lesson.lessonServerKilled(30), Lesson.lessonTypeAfterKill(), Lesson.halfClose(), Lesson.writeAfterOwnShutdown(),
        Lesson.shutdownRead(), Lesson.orderlyClose()}) {
      long t = System.nanoTime();
      Result r = s.run();
      System.out.println(r.summary() + "  " + (System.nanoTime() - t) / 1_000_000 + " ms");
      if (r.mismatches() > 0 || a.length > 0) System.out.println(Html.text(r.calls()));
    }
  }
}
