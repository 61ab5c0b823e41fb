/**
 * Child processes and deadlines: {@link tcplab.proc.ChildJvm} is the one way to start a child JVM
 * (fast-start options, this library's class path, an optional wrapper such as {@code unshare},
 * lines both ways, a deadline on every wait, SIGKILL and reap on close); {@link
 * tcplab.proc.Processes} finds tools, reads a child's output line by line with a bound and always
 * reaps it; {@link tcplab.proc.Deadlines} gives blocking socket calls a deadline; {@link
 * tcplab.proc.Daemons} names the lab's background threads and makes them daemons. The lowest layer:
 * uses no other package of the lab.
 */
package tcplab.proc;
