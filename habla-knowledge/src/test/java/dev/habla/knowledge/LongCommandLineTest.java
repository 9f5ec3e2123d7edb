package dev.habla.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * onnxruntime 1.29 kills the JVM (SIGSEGV) when the process's command line is longer than about 3,980 bytes, as an
 * application's {@code -cp} easily is (the {@code habla} launcher's was 6.3 KB). In a child JVM: a long command line
 * gets a typed {@link KnowledgeException} instead of the crash, and the same class path given in {@code CLASSPATH}
 * (what the launcher does) loads the model.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(120)
class LongCommandLineTest {

    /** The child: loads the default model; prints what happened; exit 0 loaded, 3 refused. */
    public static final class Child {
        public static void main(String[] args) {
            try {
                System.out.println("loaded " + Embedder.defaultModel().dimension());
            } catch (KnowledgeException e) {
                System.out.println(e.kind() + ": " + e.getMessage());
                System.exit(3);
            }
        }
    }

    private record Run(int exit, String out) {}

    private static Run child(String... jvmArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        cmd.addAll(List.of(jvmArgs));
        cmd.add(Child.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void aLongCommandLineIsRefusedWithATypedErrorNotACrash() throws Exception {
        Run r = child("-Dhabla.padding=" + "x".repeat(5_000));
        assertThat(r.exit()).as(r.out()).isEqualTo(3);
        assertThat(r.out()).contains("MODEL_LOAD: the JVM's command line is").contains("CLASSPATH");
    }

    @Test
    void theClassPathInTheEnvironmentLoadsTheModel() throws Exception {
        Run r = child();
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("loaded 384");
        assertThat(Files.exists(Path.of("/proc/self/cmdline"))).isTrue();
    }
}
