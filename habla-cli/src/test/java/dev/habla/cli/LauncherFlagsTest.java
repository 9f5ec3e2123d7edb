package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ./habla} launcher's JVM flags: the short-lived interactive commands start with C1 only and the serial
 * collector; the servers ({@code gateway}, {@code emulator}) keep the optimising JIT tier and the default collector,
 * since they run for hours (a gateway on C1-only code costs more CPU per relayed frame: habla-gateway/README.md).
 * Read from {@code -XX:+PrintCommandLineFlags}, which the JVM prints before {@code main}.
 */
@Timeout(120)
class LauncherFlagsTest {

    @Test
    void serversKeepTheOptimisingJitInteractiveCommandsStartFast() throws Exception {
        assertThat(flags("gateway")).doesNotContain("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(flags("emulator")).doesNotContain("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(flags("chat")).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        assertThat(flags("talk")).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    }

    /** The first line the JVM printed for {@code ./habla <command> --help}: its command-line flags. */
    private static String flags(String command) throws Exception {
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("habla");
        ProcessBuilder pb = new ProcessBuilder(List.of(launcher.toString(), command, "--help")).redirectErrorStream(true);
        // This test's class path: no Maven build and no class archive inside the test.
        pb.environment().put("HABLA_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("HABLA_JAVA_OPTS", "-XX:+PrintCommandLineFlags");
        pb.environment().remove("GEMINI_API_KEY");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s --help ended", command).isTrue();
        assertThat(p.exitValue()).as("%s --help: %s", command, out).isZero();
        String first = out.lines().findFirst().orElse("");
        assertThat(first).as("the JVM's flag line for %s", command).contains("-XX:");
        return first;
    }
}
