/**
 * Test helpers, apart from the tests: a connected loopback pair ({@link tcplab.testing.Loopback}),
 * a probe in a child JVM ({@link tcplab.testing.ProbeJvm} and its probes), leak counters ({@link
 * tcplab.testing.Leaks}), checks shared by the scenario tests ({@link
 * tcplab.testing.ScenarioAssertions}) and by the namespace tests ({@link
 * tcplab.testing.NetnsTables}).
 */
package tcplab.testing;
