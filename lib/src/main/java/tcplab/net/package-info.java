/**
 * Hosts and cables: {@link tcplab.net.Network} (two hosts and the cable between them: cut, heal, crashServer,
 * reboot, listenAgain, connectAgain, states, what it cannot show) with {@link tcplab.net.RealNetwork} (two real
 * kernels in network namespaces) and {@link tcplab.net.RelayNetwork} (the labelled relay stand-in); and
 * {@link tcplab.net.PrivateHost}, a child JVM that is root of its own namespaces, where the user-namespace layer
 * plays.
 */
package tcplab.net;
