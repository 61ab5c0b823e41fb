/**
 * The network stories of notebooks 05 (network cut) and 06 (host reboot), each written once.
 *
 * <p>A story is a record ({@link tcplab.story.BlockedRead}, {@link tcplab.story.UnackedData}, ...):
 * its components are its parameters, checked in its constructor; {@code play(Stage)} tells what
 * happens on the {@link tcplab.net.Network}s the {@link tcplab.story.Stage} opens (real kernels or
 * the relay stand-in). {@link tcplab.story.Layer} chooses the layer once and is the only place that
 * tells the layers apart; the user-namespace layer plays the same record in the private host
 * ({@link tcplab.story.InChild}, {@link tcplab.story.StoryCodec}). The notebooks call the stories
 * through {@link tcplab.NetworkCut} and {@link tcplab.HostReboot}, one line each.
 */
package tcplab.story;
