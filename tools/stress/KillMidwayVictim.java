/** The JVM that KillMidway kills: scenarios that hold namespaces, captures and peer processes. */
public class KillMidwayVictim {
  public static void main(String[] args) {
    tcplab.NetworkCut.blockedRead(800);
    tcplab.Lesson.crashWithUnreadData().run();
    tcplab.NetworkCut.retransmitUntilTimeout(2);
    tcplab.HostReboot.idleThenWrite();
  }
}
