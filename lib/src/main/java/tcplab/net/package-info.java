/**
 * Networks of the lab's own: {@link tcplab.net.PrivateHost} is a persistent child JVM that is root of
 * its own user, network, mount and PID namespace (no privilege needed where unprivileged user
 * namespaces work), with its own loopback; it plays any entry class there and streams its lines back
 * as they happen ({@link tcplab.net.PrivateHostChild} is its side). A student's scenario plays there,
 * so its ladder has packets. Uses only {@code tcplab.proc}.
 */
package tcplab.net;
