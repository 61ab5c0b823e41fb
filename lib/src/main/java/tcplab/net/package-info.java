/**
 * Hosts and cables: {@link tcplab.net.Network} (two hosts and the cable between them: cut, heal,
 * crashServer, reboot, listenAgain, connectAgain, states, what it cannot show) with {@link
 * tcplab.net.RealNetwork} (two real kernels in network namespaces) and {@link
 * tcplab.net.RelayNetwork} (the labelled relay stand-in); and {@link tcplab.net.PrivateHost}, a
 * child JVM that is root of its own namespaces, where the user-namespace layer plays. {@link
 * tcplab.net.TwoHosts} builds the two namespaces (its plumbing, the {@code ip}/{@code nft}
 * commands, is {@link tcplab.net.HostNamespaces}'; {@link tcplab.net.InNamespace} runs a socket
 * call inside one host), {@link tcplab.net.Relay} is the pure-Java stand-in, {@link
 * tcplab.net.WireTap} captures on the client's cable, {@link tcplab.net.Timeline} records what
 * happened on the two hosts.
 *
 * <p>{@link tcplab.net.PrivateHost} is a persistent child JVM that is root of its own user,
 * network, mount and PID namespace (no privilege needed where unprivileged user namespaces work),
 * with its own loopback; it plays any entry class there and streams its lines back as they happen
 * ({@link tcplab.net.PrivateHostChild} is its side). A student's scenario plays there, so its
 * ladder has packets.
 */
package tcplab.net;
