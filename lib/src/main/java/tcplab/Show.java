package tcplab;

import tcplab.draw.Html;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import tech.tablesaw.api.Table;

/**
 * Rich output in a notebook, on every Java kernel, without calling any kernel API from a cell.
 *
 * <p>Finds the running kernel by reflection (rapaio, IJava, JJava), builds the kernel's own
 * {@code DisplayData} and displays it. Outside a kernel (JShell, unit tests) it prints the text
 * form. Every method returns {@code void}, so no stray {@code Out[]} appears.
 */
public final class Show {
  private Show() {}

  /** The kernel this JVM runs in, found once. */
  public enum Kernel { RAPAIO, IJAVA, JJAVA, NONE }

  private static volatile Kernel kernel;
  private static volatile Object kernelInstance;

  /** Call once at the top of a notebook: makes rapaio show plain values as text, as IJava does. */
  public static void init() {
    if (kernel() == Kernel.RAPAIO) {
      try {
        Object options = type("org.rapaio.jupyter.kernel.global.Global").getMethod("options").invoke(null);
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

  /** Shows a Tablesaw table as a compact HTML table (failures coloured), text elsewhere. */
  public static void table(Table table) {
    html(Html.table(table), Html.text(table));
  }

  /** Shows an SVG drawing, with an HTML copy for frontends without SVG, and text elsewhere. */
  public static void svg(String svg, String text) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("image/svg+xml", svg);
    data.put("text/html", svg);
    show(data, text);
  }

  /**
   * Shows a scenario result: its calls table and a one-line verdict. A step whose C result differs
   * from what Linux is expected to return is also reported on standard error, so that a headless
   * run of the notebook fails loudly instead of hiding it.
   */
  public static void result(Result result) {
    table(result.calls());
    note(result.summary());
    if (result.mismatches() > 0) {
      System.err.println("MISMATCH in \"" + result.name() + "\": " + result.summary());
    }
  }

  /**
   * The three views of one run together: the calls table (with each side's state after every
   * step), the ladder diagram (packets between the lifelines, calls and states on them) and the
   * packets table. Without packet capture it says so in one line and still draws calls and states.
   */
  public static void wire(Result result) {
    wire(result, false);
  }

  /** Like {@link #wire(Result)} for the C pass ({@code javaPass} false) or the Java pass (true). */
  public static void wire(Result result, boolean javaPass) {
    result(result);
    if (result.captureNote() != null) {
      note(result.captureNote() + " (the ladder shows calls and states only).");
    }
    svg(result.ladder(javaPass), result.ladderText(javaPass));
    if (result.captureNote() == null) {
      table(result.packets(javaPass));
    }
  }

  /**
   * Shows a lesson-17 run with its packets ({@link NoFin#retransmitUntilTimeoutWire}, {@link
   * Reboot#idleThenWriteWire}): the table, the ladder and the packets table; without packets, the note says why.
   */
  public static void wire(Wire wire) {
    table(wire.table());
    if (wire.note() != null) {
      note(wire.note() + " (the ladder shows the table's rows only).");
    }
    svg(wire.svg(), wire.text());
    if (wire.packets() != null) {
      table(wire.packets());
    }
  }

  /** Shows a scenario's steps as a numbered list, before it runs. */
  public static void steps(Scenario scenario) {
    StringBuilder text = new StringBuilder(scenario.name()).append(":\n");
    StringBuilder html = new StringBuilder("<b>").append(Html.escape(scenario.name())).append("</b><ol style=\"font-family:monospace;font-size:12px\">");
    for (Step s : scenario.steps()) {
      String line = s.side() + ": " + s.call() + (s.expected() == null ? "" : "   expect " + s.expected());
      text.append("  ").append(line).append('\n');
      html.append("<li>").append(Html.escape(line)).append("</li>");
    }
    html(html.append("</ol>").toString(), text.toString());
  }

  /** Shows preformatted text (a block of lines such as a probe's report) as it is. */
  public static void pre(String text) {
    html("<pre style=\"font-size:12px\">" + Html.escape(text) + "</pre>", text);
  }

  /** Shows a short note (one paragraph) as HTML and text. */
  public static void note(String text) {
    html("<p>" + Html.escape(text) + "</p>", text);
  }

  private static void show(Map<String, Object> data, String text) {
    Kernel k = kernel();
    if (k != Kernel.NONE) {
      try {
        Object bundle = bundle(k, text, data);
        for (Method m : kernelInstance.getClass().getMethods()) {
          if (m.getName().equals("display") && m.getParameterCount() == 1
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
      type = type(k == Kernel.IJAVA
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
      return Class.forName(name, true, Show.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return Class.forName(name, true, Thread.currentThread().getContextClassLoader());
    }
  }
}
