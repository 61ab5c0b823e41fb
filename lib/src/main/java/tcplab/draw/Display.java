package tcplab.draw;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Puts HTML, SVG and text in a notebook's output, on every Java kernel, without calling any kernel
 * API from a cell: finds the running kernel by reflection (rapaio, IJava, JJava), builds the
 * kernel's own {@code DisplayData} and displays it. Outside a kernel (JShell, unit tests) it prints
 * the text form. {@code tcplab.Show} is the notebooks' face of it.
 */
public final class Display {
  private Display() {}

  /** The kernel this JVM runs in, found once. */
  public enum Kernel {
    RAPAIO,
    IJAVA,
    JJAVA,
    NONE
  }

  private static volatile Kernel kernel;
  private static volatile Object kernelInstance;

  /** Makes rapaio show plain values as text, as IJava does. */
  public static void init() {
    if (kernel() == Kernel.RAPAIO) {
      try {
        Object options =
            type("org.rapaio.jupyter.kernel.global.Global").getMethod("options").invoke(null);
        Object display = options.getClass().getMethod("display").invoke(options);
        display.getClass().getMethod("defaultMime", String.class).invoke(display, "text/plain");
      } catch (ReflectiveOperationException | RuntimeException e) {
        System.out.println("(rapaio display options not set: " + e + ")");
      }
    }
  }

  /** Which kernel is running this code. */
  public static Kernel kernel() {
    if (kernel == null) {
      detect();
    }
    return kernel;
  }

  /** Shows HTML, with {@code text} as the plain-text fallback. */
  public static void html(String html, String text) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("text/html", html);
    show(data, text);
  }

  /** Shows an SVG drawing, with an HTML copy for frontends without SVG, and text elsewhere. */
  public static void svg(String svg, String text) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("image/svg+xml", svg);
    data.put("text/html", svg);
    show(data, text);
  }

  private static void show(Map<String, Object> data, String text) {
    Kernel k = kernel();
    if (k != Kernel.NONE) {
      try {
        Object bundle = bundle(k, text, data);
        for (Method m : kernelInstance.getClass().getMethods()) {
          if (m.getName().equals("display")
              && m.getParameterCount() == 1
              && m.getParameterTypes()[0].isInstance(bundle)) {
            m.invoke(kernelInstance, bundle);
            return;
          }
        }
      } catch (ReflectiveOperationException | RuntimeException e) {
        System.out.println("(rich display failed, text follows: " + e + ")");
      }
    }
    System.out.println(text);
  }

  private static Object bundle(Kernel k, String text, Map<String, Object> data)
      throws ReflectiveOperationException {
    Object bundle;
    Class<?> type;
    if (k == Kernel.RAPAIO) {
      type = type("org.rapaio.jupyter.kernel.display.DisplayData");
      bundle = type.getMethod("fromText", String.class).invoke(null, text);
    } else {
      type =
          type(
              k == Kernel.IJAVA
                  ? "io.github.spencerpark.jupyter.kernel.display.DisplayData"
                  : "org.dflib.jjava.jupyter.kernel.display.DisplayData");
      bundle = type.getConstructor(String.class).newInstance(text);
    }
    Method put = type.getMethod("putData", String.class, Object.class);
    for (Map.Entry<String, Object> e : data.entrySet()) {
      put.invoke(bundle, e.getKey(), e.getValue());
    }
    return bundle;
  }

  private static synchronized void detect() {
    if (kernel != null) {
      return;
    }
    Kernel found = Kernel.NONE;
    Object instance = null;
    try {
      instance = type("org.rapaio.jupyter.kernel.MainApp").getField("kernel").get(null);
      if (instance != null) {
        found = Kernel.RAPAIO;
      }
    } catch (ReflectiveOperationException | LinkageError e) {
      // not rapaio
    }
    if (instance == null) {
      instance = staticCall("io.github.spencerpark.ijava.IJava", "getKernelInstance");
      found = instance != null ? Kernel.IJAVA : Kernel.NONE;
    }
    if (instance == null) {
      instance = staticCall("org.dflib.jjava.jupyter.kernel.BaseKernel", "notebookKernel");
      found = instance != null ? Kernel.JJAVA : Kernel.NONE;
    }
    kernelInstance = instance;
    kernel = found;
  }

  private static Object staticCall(String className, String method) {
    try {
      return type(className).getMethod(method).invoke(null);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return null;
    }
  }

  private static Class<?> type(String name) throws ClassNotFoundException {
    try {
      return Class.forName(name, true, Display.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return Class.forName(name, true, Thread.currentThread().getContextClassLoader());
    }
  }
}
