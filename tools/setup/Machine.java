import java.lang.reflect.Method;
import tech.tablesaw.api.Row;
import tech.tablesaw.api.Table;

/**
 * One line for `make lab`: what this machine allows (packet capture, the layer of notebooks 05-06),
 * taken from what the notebooks themselves show (Lab.about(), Layers.layer()). Reflection, so a
 * renamed class degrades to "?" instead of breaking `make lab`.
 * Usage: java -cp lib/target/jars/tcplab.jar tools/setup/Machine.java
 */
public class Machine {
  public static void main(String[] args) {
    String capture = "?";
    String layer = "?";
    try {
      Table about = (Table) Class.forName("tcplab.Lab").getMethod("about").invoke(null);
      for (Row r : about) {
        if (r.getString(0).startsWith("packet capture")) {
          capture = r.getString(1).equals("yes") ? "on" : "off (" + r.getString(1) + ")";
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      capture = "? (" + e + ")";
    }
    for (String cls : new String[] {"tcplab.Layers", "tcplab.story.Layers", "tcplab.net.Layers"}) {
      try {
        Method m = Class.forName(cls).getMethod("layer");
        layer = String.valueOf(m.invoke(null));
        break;
      } catch (ReflectiveOperationException | RuntimeException e) {
        // try the next place the class may live
      }
    }
    System.out.println("capture " + capture + "; layer for 05-06: " + layer);
  }
}
