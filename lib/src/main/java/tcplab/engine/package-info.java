/**
 * Playing a {@code tcplab.Scenario}: {@link tcplab.engine.Run} opens a fresh connection per pass (C
 * view through libc, then Java view), performs each step with a deadline ({@link
 * tcplab.engine.Ops}), records the socket states and packets, and returns a {@code tcplab.Result}.
 * The server side may be its own process ({@link tcplab.engine.Child} starts {@link
 * tcplab.engine.PeerProcess}) so that it can really crash. {@link tcplab.engine.Side} names the two
 * peers; {@link tcplab.engine.Rows} builds the small tables of the one-off demonstrations.
 */
package tcplab.engine;
