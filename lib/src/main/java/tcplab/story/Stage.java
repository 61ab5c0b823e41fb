package tcplab.story;

import java.util.function.Consumer;
import tcplab.Wire;
import tcplab.net.Network;
import tcplab.net.RealNetwork;
import tcplab.net.RelayNetwork;
import tcplab.net.Timeline;
import tcplab.net.WireTap;
import tech.tablesaw.api.Table;

/**
 * Where a story plays: opens fresh networks of one kind (real kernels or the relay), the first one
 * capturing its packets on real kernels, and hands every timeline row to a listener as it happens.
 * {@link #play} returns the story's table with its packets and ladder.
 */
public final class Stage {
  private final boolean real;
  private final Consumer<String> rows;
  private boolean capture;
  private Network first;
  private String label = "";

  private Stage(boolean real, Consumer<String> rows) {
    this.real = real;
    this.rows = rows == null ? r -> {} : rows;
  }

  /**
   * Two real kernels in network namespaces per network (needs root of the current user namespace).
   */
  public static Stage realKernels(Consumer<String> rows) {
    return new Stage(true, rows);
  }

  /** The relay stand-in on 127.0.0.1. */
  public static Stage relay(Consumer<String> rows) {
    return new Stage(false, rows);
  }

  /** Names every table (and so the ladder's title) with the layer that plays it. */
  public Stage labelled(String label) {
    this.label = label;
    return this;
  }

  /** True when this stage opens real kernels, false for the relay stand-in. */
  public boolean opensRealKernels() {
    return real;
  }

  /** A fresh network for the story (closed by the story). */
  public synchronized Network open() {
    Network n = real ? RealNetwork.create(capture && first == null) : RelayNetwork.create();
    if (first == null) {
      first = n;
    }
    return n;
  }

  /**
   * A timeline of {@code link}'s two ends on {@code net}: rows stream to the listener, packets line
   * up with it.
   */
  public Timeline timeline(Network net, Network.Link link) {
    Timeline tl = new Timeline(net.states(link)).onRow(rows);
    net.watch(tl, link);
    return tl;
  }

  /** Plays {@code story}; its table with the packets of its first network (on real kernels). */
  public Wire play(Story story) {
    capture = real && story.captures();
    Table t = story.play(this);
    t.setName(label + t.name());
    if (real && !story.captures()) {
      return WireTap.without(
          t, "no packets: this story runs several connections at once and captures none");
    }
    return first != null
        ? first.wire(t)
        : WireTap.without(t, "no packets: the story opened no network");
  }
}
