/**
 * tcplab: lesson 17 of 《网络编程实战》 ("TCP is not always reliable") with real sockets. This is the only
 * package a notebook imports ({@code import tcplab.*;}); its public types are listed, member by
 * member, in {@code lib/api/tcplab.api} (checked by ApiTest).
 *
 * <p>Which notebook uses which class:
 *
 * <ul>
 *   <li>every notebook: {@link tcplab.Show} (tables, ladders, notes) and {@link tcplab.Lesson} (the
 *       lesson's scenarios by name);
 *   <li>00 start here: {@link tcplab.Lab} (what this machine can show), {@link tcplab.Scenario};
 *   <li>01 buffered send: {@link tcplab.BufferedSend}, {@link tcplab.Scenario};
 *   <li>02 crashed receiver: {@link tcplab.Scenario}, {@link tcplab.Result};
 *   <li>03 reset vs broken pipe: {@link tcplab.ResetOrPipe}, {@link tcplab.SigPipe};
 *   <li>04 half-close: {@link tcplab.SharedSocket}, {@link tcplab.Rebind}, {@link tcplab.Scenario};
 *   <li>05 network cut: {@link tcplab.NetworkCut}; 06 host reboot: {@link tcplab.HostReboot}; both
 *       return a {@link tcplab.Wire} (table, packets, ladder).
 * </ul>
 *
 * Every parameters cell uses {@link tcplab.Parameters}; {@link tcplab.Check} names a bad parameter
 * and its range in one sentence; {@link tcplab.Step} is one step of a {@link tcplab.Scenario}.
 *
 * <p>Under it: {@code tcplab.engine} plays a scenario, {@code tcplab.observe} sees sockets and
 * packets, {@code tcplab.draw} draws tables and ladders, {@code tcplab.proc} runs child processes
 * with deadlines, {@code tcplab.net} builds hosts and cables (namespaces, relay, the private host:
 * an unprivileged user's scenarios play in its private host, with packets; {@code
 * TCPLAB_HOST=here|private} forces where), {@code tcplab.story} writes each network story once.
 * observe, draw and proc never use this package (PackagesTest). All sockets bind 127.0.0.1 with
 * ephemeral ports, every blocking call has a deadline, and a scenario closes everything it opened.
 */
package tcplab;
