package dev.habla.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeviceSpeaker} on a real Java Sound device without a sound card: a child JVM whose {@code HOME} holds an
 * {@code .asoundrc} that makes ALSA's default PCM the {@code file} plugin (docs: ecosystem.md §2.2), so everything
 * played lands in a raw file, byte for byte. Skipped where Java Sound has no ALSA (no libasound2).
 */
@Timeout(60)
class AlsaFileDeviceTest {

    @TempDir
    Path dir;

    @Test
    void whatIsWrittenIsWhatThePcmDevicePlays() throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Path played = dir.resolve("played.raw");
        Files.writeString(home.resolve(".asoundrc"), """
                pcm.!default {
                  type file
                  slave.pcm "null"
                  file "%s"
                  format "raw"
                }
                """.formatted(played));
        byte[] pcm = new byte[48_000 * 3 / 2];   // 1.5 s of a 440 Hz tone at 24 kHz
        for (int i = 0; i < pcm.length / 2; i++) {
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 24_000.0));
            pcm[2 * i] = (byte) v;
            pcm[2 * i + 1] = (byte) (v >> 8);
        }
        Path input = dir.resolve("input.raw");
        Files.write(input, pcm);

        ProcessBuilder pb = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                PlayPcmMain.class.getName(), input.toString()))
                .redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("XDG_RUNTIME_DIR");   // no PulseAudio: ALSA's own config decides
        Process p = pb.start();
        String output;
        try (var in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Assumptions.assumeFalse(p.exitValue() == 3, "Java Sound has no ALSA device here: " + output.strip());
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("dropped 0");

        byte[] out = Files.readAllBytes(played);
        assertThat(out.length).as("bytes played").isGreaterThanOrEqualTo(pcm.length);
        assertThat(Arrays.copyOf(out, pcm.length)).isEqualTo(pcm);
        assertThat(allZero(Arrays.copyOfRange(out, pcm.length, out.length))).as("anything after is silence").isTrue();
    }

    private static boolean allZero(byte[] b) throws IOException {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }
}
