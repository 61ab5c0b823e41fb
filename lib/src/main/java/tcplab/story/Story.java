package tcplab.story;

import tech.tablesaw.api.Table;

/**
 * One lesson-17 network story, written once: a record whose components are its parameters (checked
 * in its constructor, once) and whose {@link #play} tells what happens on whatever {@link
 * tcplab.net.Network} the {@link Stage} opens, real kernels or the relay stand-in. Where the relay
 * truly behaves differently, the branch sits inside the story, beside the reason, and the relay's
 * table ends with a "what differs from a real cut" row.
 *
 * <p>Adding a story: one record in this package, one line in the notebook API ({@link
 * tcplab.NetworkCut} or {@link tcplab.HostReboot}), one test in the contract. Every layer plays it,
 * the user-namespace layer in a child JVM (the record travels as its name and component values, see
 * {@link StoryCodec}).
 */
public interface Story {
  /**
   * Plays the story on networks opened by {@code stage}; the table is named without the layer's
   * label.
   */
  Table play(Stage stage);

  /**
   * False for a story whose packets would say nothing (several connections at once): no capture.
   */
  default boolean captures() {
    return true;
  }
}
