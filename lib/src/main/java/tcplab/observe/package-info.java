/**
 * Seeing what the kernel sees, without changing it: {@link tcplab.observe.CView} calls libc through
 * JNA ({@link tcplab.observe.LibC}) and returns C results with errno ({@link
 * tcplab.observe.CResult}, {@link tcplab.observe.CRead}); {@link tcplab.observe.ProcNetTcp} reads
 * socket states from /proc/net/tcp, {@link tcplab.observe.TcpInfo} reads TCP_INFO, {@link
 * tcplab.observe.ProcSelf} reads /proc/PID/status and this JVM's fds, {@link
 * tcplab.observe.Capture} records the packets. Where one of them is unavailable it says why in one
 * sentence. Uses nothing from the notebook API package.
 */
package tcplab.observe;
