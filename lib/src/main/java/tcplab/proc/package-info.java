/**
 * Child processes and deadlines: {@link tcplab.proc.Processes} finds tools, reads a child's output
 * line by line with a bound and always reaps it; {@link tcplab.proc.Deadlines} gives blocking socket
 * calls a deadline. The lowest layer: uses no other package of the lab.
 */
package tcplab.proc;
