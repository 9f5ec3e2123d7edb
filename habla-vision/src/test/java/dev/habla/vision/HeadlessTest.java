package dev.habla.vision;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Without a display, the screen source is one clear error (checked in a headless child JVM: AWT decides once per JVM). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HeadlessTest {
    /** The child: tries the screen, prints the error's kind and message. */
    public static void main(String[] args) {
        try {
            Screen.open(null).close();
            System.out.println("opened");
        } catch (VisionException e) {
            System.out.println(e.kind() + ": " + e.getMessage());
        }
    }

    @Test
    void aHeadlessJvmGetsOneClearLine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                HeadlessTest.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).startsWith("HEADLESS: no display to capture (headless").endsWith("); use --camera or --image instead");
    }
}
