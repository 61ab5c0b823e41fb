package tcplab.testing;

import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.observe.ProcNetTcp;
import tcplab.observe.TcpInfo;

/**
 * Child-JVM entry point for {@link NoJnaTest}: prints CView.unavailableReason() without JNA on the
 * class path.
 */
public final class NoJnaProbe {
  private NoJnaProbe() {}

  public static void main(String[] args) {
    System.out.println("reason=" + CView.unavailableReason().orElse("<none>"));
    System.out.println("tcpinfo=" + TcpInfo.of(0).isPresent());
    System.out.println("proc=" + ProcNetTcp.available());
    System.out.println("capture=" + Capture.backend() + ": " + Capture.status());
  }
}
