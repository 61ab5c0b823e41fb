import tcplab.Lab;
import tcplab.story.Layer;

/**
 * One line for `make lab`: what this machine allows (packet capture, the layer of notebooks 05-06), taken from
 * what the notebooks themselves show (Lab.packets(), the story layer).
 * Usage: java -cp lib/target/jars/tcplab.jar tools/setup/Machine.java
 */
public class Machine {
  public static void main(String[] args) {
    System.out.println(Lab.packets() + "; layer for 05-06: " + Layer.current());
  }
}
