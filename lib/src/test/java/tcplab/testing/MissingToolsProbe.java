package tcplab.testing;

import tcplab.Lesson;
import tcplab.NetworkCut;
import tcplab.ResetOrPipe;
import tcplab.Result;
import tcplab.observe.Capture;

/**
 * Run by MissingToolsTest in a child JVM whose tool search path is empty
 * (-Dtcplab.path=/nonexistent).
 */
public class MissingToolsProbe {
  public static void main(String[] args) {
    System.out.println("capture=" + Capture.unavailableReason().orElse("available"));
    System.out.println("layer=" + tcplab.story.Layer.current());
    System.out.println(NetworkCut.privileges());
    System.out.println("blockedRead=" + NetworkCut.blockedRead(200).table().name());
    try {
      ResetOrPipe.once(ResetOrPipe.Control.UNREAD, 0, ResetOrPipe.FirstCall.WRITE);
      System.out.println("bash=available");
    } catch (IllegalStateException e) {
      System.out.println("bash=" + e.getMessage());
    }
    Result r = Lesson.halfClose().run();
    System.out.println("wire=" + r.captureNote() + " | mismatches=" + r.mismatches());
    System.out.println(
        "children=" + ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
  }
}
