package tcplab.testing;

import tcplab.HostReboot;

/**
 * Run as another user by UnprivilegedLayerTest: the layer this JVM chooses, its privileges, one
 * story's table.
 */
public class LayerProbe {
  public static void main(String[] args) {
    System.out.println(HostReboot.privileges());
    try {
      System.out.println(
          "table=" + HostReboot.readerWithoutKeepalive(1000).table().print().replace('\n', '|'));
    } catch (RuntimeException e) {
      System.out.println("error=" + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    tcplab.net.PrivateHost.stop();
    System.exit(0);
  }
}
