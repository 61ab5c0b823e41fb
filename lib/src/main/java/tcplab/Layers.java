package tcplab;

import tcplab.observe.CView;
import tcplab.observe.Capture;

import java.util.Locale;
import tech.tablesaw.api.Table;

/**
 * Which layer plays the lesson-17 stories on this machine, chosen once per JVM (the probe takes ~50 ms):
 * <ul>
 *   <li>ROOT: two network namespaces in this JVM (real kernels, real cut, crash, reboot, packets);</li>
 *   <li>USERNS: the same code in a child JVM under {@code unshare -rnm} (real kernels, no root needed);</li>
 *   <li>RELAY: a pure-Java relay on 127.0.0.1 ({@link Relay}): works everywhere, but its kernel ACKs, so the
 *   kernel-level detectors (retransmission timeout, keepalive, TCP_USER_TIMEOUT) never fire.</li>
 * </ul>
 * {@code TCPLAB_LAYER=root|userns|relay} (environment) or {@code -Dtcplab.layer=...} (wins) forces a layer.
 * Every table of {@link NoFin} and {@link Reboot} is named with the layer that produced it.
 */
public final class Layers {
  private Layers() {}

  /** The three ways to play the stories, best first. */
  public enum Layer {
    ROOT("[real kernels, root] "),
    USERNS("[real kernels, user namespace] "),
    RELAY("[relay stand-in: not a real cut] ");

    private final String label;

    Layer(String label) {
      this.label = label;
    }

    /** The prefix of every table name this layer produces, e.g. "[real kernels, root] ". */
    public String label() {
      return label;
    }
  }

  /** The system property that forces a layer (the environment variable is {@code TCPLAB_LAYER}). */
  public static final String PROPERTY = "tcplab.layer";

  private static volatile TwoHosts.Privileges probed;

  static TwoHosts.Privileges probe() {
    TwoHosts.Privileges p = probed;
    if (p == null) {
      synchronized (Layers.class) {
        if (probed == null) {
          probed = TwoHosts.probe();
        }
        p = probed;
      }
    }
    return p;
  }

  /** Why ROOT cannot be used here, or "" when it can. */
  static String rootReason() {
    TwoHosts.Privileges p = probe();
    return !p.root().isEmpty() ? p.root() : common(p);
  }

  /** Why USERNS cannot be used here, or "" when it can. */
  static String usernsReason() {
    TwoHosts.Privileges p = probe();
    return !p.userns().isEmpty() ? p.userns() : common(p);
  }

  private static String common(TwoHosts.Privileges p) {
    if (p.ip().isEmpty()) {
      return "ip (iproute2) is not installed";
    }
    if (p.nft().isEmpty()) {
      return "nft (nftables) is not installed, so there is no cut";
    }
    return CView.unavailableReason().map(w -> "setns via JNA is unavailable (" + w + ")").orElse("");
  }

  /** The value of TCPLAB_LAYER / tcplab.layer, or null when neither is set. */
  public static String forced() {
    String v = System.getProperty(PROPERTY);
    if (v == null || v.isBlank()) {
      v = System.getenv("TCPLAB_LAYER");
    }
    return v == null || v.isBlank() ? null : v.strip();
  }

  /**
   * The layer the next helper uses: the forced one if any (an unavailable forced layer is one clear
   * IllegalStateException), else the best available.
   */
  public static Layer layer() {
    String f = forced();
    if (f != null) {
      Layer l = switch (f.toLowerCase(Locale.ROOT)) {
        case "root" -> Layer.ROOT;
        case "userns" -> Layer.USERNS;
        case "relay" -> Layer.RELAY;
        default -> throw new IllegalArgumentException("TCPLAB_LAYER (or -D" + PROPERTY
            + ") must be root, userns or relay; got \"" + f + "\".");
      };
      String why = l == Layer.ROOT ? rootReason() : l == Layer.USERNS ? usernsReason() : "";
      if (!why.isEmpty()) {
        throw new IllegalStateException("TCPLAB_LAYER=" + f + " asks for the " + l.name().toLowerCase(Locale.ROOT)
            + " layer, but it is not available here: " + why + ".");
      }
      return l;
    }
    return rootReason().isEmpty() ? Layer.ROOT : usernsReason().isEmpty() ? Layer.USERNS : Layer.RELAY;
  }

  /** Prefixes {@code t}'s name with the layer's label and returns it. */
  static Table named(Layer l, Table t) {
    return t.setName(l.label() + t.name());
  }

  /** The short block a notebook prints at its top: the layer used and why, one line per layer and tool. */
  public static String privileges() {
    TwoHosts.Privileges p = probe();
    String f = forced();
    String chosen;
    try {
      Layer l = layer();
      chosen = "tcplab uses " + l.label().strip() + (f != null ? " (forced by TCPLAB_LAYER/-D" + PROPERTY + "=" + f
          + ")" : l == Layer.ROOT ? " (the best layer)" : " (the best layer available here)");
    } catch (RuntimeException e) {
      chosen = "tcplab cannot run: " + e.getMessage();
    }
    String root = rootReason(), userns = usernsReason();
    String capture = Capture.unavailableReason().orElse("");
    return chosen + "\n"
        + line(root.isEmpty(), "root", root.isEmpty() ? "ip netns add works: namespaces in this JVM (cut, crash, "
            + "reboot, packets)" : root)
        + line(userns.isEmpty(), "userns", userns.isEmpty() ? "unshare -rn works: a child JVM under unshare -rnm "
            + "(real kernels, no packets)" : userns)
        + line(true, "relay", "always: pure Java on 127.0.0.1, NOT a real cut (the relay's kernel ACKs: no "
            + "retransmission timeout, keepalive never fails)")
        + line(!p.nft().isEmpty(), "nft", p.nft().isEmpty() ? "not installed (nftables): no cut" : p.nft())
        + line(!p.ip().isEmpty(), "ip", p.ip().isEmpty() ? "not installed (iproute2)" : p.ip())
        + line(capture.isEmpty(), "capture", Capture.status().replaceFirst("^packets: ", "")
            + (capture.isEmpty() ? " (packets on lo and on the root layer)" : ""));
  }

  private static String line(boolean ok, String what, String text) {
    return String.format("  [%s] %-7s %s%n", ok ? "ok" : "--", what, text);
  }
}
