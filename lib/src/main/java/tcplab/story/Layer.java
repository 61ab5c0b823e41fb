package tcplab.story;

import java.util.Locale;
import java.util.function.Consumer;
import tcplab.Wire;
import tcplab.net.PrivateHost;
import tcplab.net.TwoHosts;
import tcplab.observe.CView;
import tcplab.observe.Capture;
import tcplab.text.Text;

/**
 * Which layer plays the lesson-17 stories on this machine, chosen once per JVM (the probe takes ~50
 * ms):
 *
 * <ul>
 *   <li>ROOT: real kernels in two network namespaces in this JVM (real cut, crash, reboot,
 *       packets);
 *   <li>USERNS: the same real-kernel code in a child JVM, root of its own user, network and mount
 *       namespaces (no root needed); its rows come back as they happen;
 *   <li>RELAY: the relay stand-in on 127.0.0.1: works everywhere, but its kernel ACKs, so the
 *       kernel-level detectors (retransmission timeout, keepalive, TCP_USER_TIMEOUT) never fire.
 * </ul>
 *
 * {@code TCPLAB_LAYER=root|userns|relay} (environment) or {@code -Dtcplab.layer=...} (wins) forces
 * a layer. Every table a story returns is named with the layer that produced it. {@link #play} is
 * the only place that tells the layers apart.
 */
public enum Layer {
  ROOT("[real kernels, root] "),
  USERNS("[real kernels, user namespace] "),
  RELAY("[relay stand-in: not a real cut] ");

  /** The system property that forces a layer (the environment variable is {@code TCPLAB_LAYER}). */
  public static final String PROPERTY = "tcplab.layer";

  private final String label;

  Layer(String label) {
    this.label = label;
  }

  /** The prefix of every table name this layer produces, e.g. "[real kernels, root] ". */
  public String label() {
    return label;
  }

  /**
   * Plays {@code story} on this layer; {@code rows} gets each timeline row as it happens (may be
   * null).
   */
  public Wire play(Story story, Consumer<String> rows) {
    Wire w =
        switch (this) {
          case ROOT -> Stage.realKernels(rows).labelled(label).play(story);
          case USERNS -> InChild.play(story, rows);
          case RELAY -> Stage.relay(rows).labelled(label).play(story);
        };
    return w;
  }

  /** Plays {@code story} on the layer {@link #current()} chooses. */
  public static Wire play(Story story) {
    return current().play(story, null);
  }

  // ---------------------------------------------------------------- choosing

  private static volatile TwoHosts.Privileges probed;

  static TwoHosts.Privileges probe() {
    TwoHosts.Privileges p = probed;
    if (p == null) {
      synchronized (Layer.class) {
        if (probed == null) {
          probed = TwoHosts.probe();
        }
        p = probed;
      }
    }
    return p;
  }

  /** Why this layer cannot be used here, or "" when it can. */
  public String unavailableReason() {
    TwoHosts.Privileges p = probe();
    String own = this == ROOT ? p.root() : this == USERNS ? PrivateHost.why() : "";
    return this == RELAY ? "" : !own.isEmpty() ? own : common(p);
  }

  private static String common(TwoHosts.Privileges p) {
    if (p.ip().isEmpty()) {
      return "ip (iproute2) is not installed";
    }
    if (p.nft().isEmpty()) {
      return "nft (nftables) is not installed, so there is no cut";
    }
    return CView.unavailableReason()
        .map(w -> "setns via JNA is unavailable (" + w + ")")
        .orElse("");
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
   * The layer the next story uses: the forced one if any (an unavailable forced layer is one clear
   * IllegalStateException), else the best available.
   */
  public static Layer current() {
    String f = forced();
    if (f == null) {
      return ROOT.unavailableReason().isEmpty()
          ? ROOT
          : USERNS.unavailableReason().isEmpty() ? USERNS : RELAY;
    }
    Layer l;
    try {
      l = valueOf(f.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "TCPLAB_LAYER (or -D" + PROPERTY + ") must be root, userns or relay; got \"" + f + "\".");
    }
    String why = l.unavailableReason();
    if (!why.isEmpty()) {
      throw new IllegalStateException(
          "TCPLAB_LAYER="
              + f
              + " asks for the "
              + l.name().toLowerCase(Locale.ROOT)
              + " layer, but it is not available here: "
              + why
              + ".");
    }
    return l;
  }

  /**
   * The short block a notebook prints at its top: the layer used and why, one line per layer and
   * tool.
   */
  public static String privileges() {
    return Text.shown(privilegesInEnglish());
  }

  private static String privilegesInEnglish() {
    TwoHosts.Privileges p = probe();
    String f = forced();
    String chosen;
    try {
      Layer l = current();
      chosen =
          "tcplab uses "
              + l.label().strip()
              + (f != null
                  ? " (forced by TCPLAB_LAYER/-D" + PROPERTY + "=" + f + ")"
                  : l == ROOT ? " (the best layer)" : " (the best layer available here)");
    } catch (RuntimeException e) {
      chosen = "tcplab cannot run: " + e.getMessage();
    }
    String root = ROOT.unavailableReason(), userns = USERNS.unavailableReason();
    String capture = Capture.unavailableReason().orElse("");
    return chosen
        + "\n"
        + line(
            root.isEmpty(),
            "root",
            root.isEmpty()
                ? "ip netns add works: namespaces in this JVM (cut, crash, " + "reboot, packets)"
                : root)
        + line(
            userns.isEmpty(),
            "userns",
            userns.isEmpty()
                ? "unshare -rn works: a private host, a child JVM root "
                    + "of its own namespaces (real kernels)"
                : userns)
        + line(
            true,
            "relay",
            "always: pure Java on 127.0.0.1, NOT a real cut (the relay's kernel ACKs: no "
                + "retransmission timeout, keepalive never fails)")
        + line(
            !p.nft().isEmpty(),
            "nft",
            p.nft().isEmpty() ? "not installed (nftables): no cut" : p.nft())
        + line(!p.ip().isEmpty(), "ip", p.ip().isEmpty() ? "not installed (iproute2)" : p.ip())
        + line(
            capture.isEmpty(),
            "capture",
            Capture.status().replaceFirst("^packets: ", "")
                + (capture.isEmpty() ? " (packets on lo and on the real-kernel layers)" : ""));
  }

  private static String line(boolean ok, String what, String text) {
    return String.format("  [%s] %-7s %s%n", ok ? "ok" : "--", what, text);
  }
}
