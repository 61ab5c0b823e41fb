package tcplab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

@Timeout(10)
class NoJnaTest {
    @Test
    void degradesWithASentenceWhenJnaJarIsMissing() throws Exception {
        String cp = System.getProperty("java.class.path");
        StringBuilder own = new StringBuilder();
        for (String e : cp.split(File.pathSeparator)) {
            if (e.endsWith("classes") || e.endsWith("test-classes")) {
                own.append(own.length() == 0 ? "" : File.pathSeparator).append(e);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process pr = new ProcessBuilder(java, "-cp", own.toString(), "tcplab.NoJnaProbe")
                .redirectErrorStream(true).start();
        try {
            assertTrue(pr.waitFor(8, TimeUnit.SECONDS), "child JVM finished");
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, pr.exitValue(), out);
            assertTrue(out.contains("reason=not observable here: JNA could not load libc ("), out);
            assertTrue(out.contains("tcpinfo=false"), out);
            assertTrue(out.contains("proc=true"), out);
            System.out.println(out.trim());
        } finally {
            pr.destroyForcibly();
        }
    }
}
