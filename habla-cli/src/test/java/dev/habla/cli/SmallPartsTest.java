package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.LiveException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.TypeConversionException;

/** DurationText, .env parsing, redaction, audio file numbering, exit-code mapping. */
class SmallPartsTest {

    @TempDir
    Path dir;

    @Test
    void durationsAsPeopleTypeThem() {
        assertThat(DurationText.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationText.parse("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(DurationText.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationText.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(DurationText.parse(" 2D ")).isEqualTo(Duration.ofDays(2));
        assertThat(DurationText.parse("PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationText.parse("0s")).isEqualTo(Duration.ZERO);
        for (String bad : List.of("", "5", "5x", "s", "-5s", "5 s", "10mm", "P", "1e3s")) {
            assertThatThrownBy(() -> DurationText.parse(bad)).as(bad).isInstanceOf(TypeConversionException.class)
                    .hasMessageContaining("is not a duration");
        }
        assertThat(DurationText.format(Duration.ofMillis(250))).isEqualTo("250 ms");
        assertThat(DurationText.format(Duration.ofMillis(2400))).isEqualTo("2.4 s");
        assertThat(DurationText.format(Duration.ofMinutes(10))).isEqualTo("10 min");
    }

    @Test
    void dotEnvLikePythonDotenv() {
        Map<String, String> vars = DotEnv.parse(List.of(
                "\uFEFF# comment",
                "",
                "GEMINI_API_KEY=abc123",
                "export QUOTED=\"with spaces # not a comment\"",
                "SINGLE='lit\\n'",
                "ESCAPED=\"a\\\"b\\nc\"",
                "INLINE=value # trailing comment",
                "  SPACED  =  padded  ",
                "EMPTY=",
                "UNBALANCED=\"oops",
                "not a line",
                "HASH=a#b"));
        assertThat(vars).containsExactly(
                Map.entry("GEMINI_API_KEY", "abc123"),
                Map.entry("QUOTED", "with spaces # not a comment"),
                Map.entry("SINGLE", "lit\\n"),
                Map.entry("ESCAPED", "a\"b\nc"),
                Map.entry("INLINE", "value"),
                Map.entry("SPACED", "padded"),
                Map.entry("EMPTY", ""),
                Map.entry("HASH", "a#b"));
    }

    @Test
    void dotEnvFileMayBeAbsent() throws IOException {
        assertThat(DotEnv.read(dir.resolve(".env"))).isEmpty();
        Files.writeString(dir.resolve(".env"), "export GEMINI_API_KEY = \"k-1\"\n");
        assertThat(DotEnv.read(dir.resolve(".env"))).containsEntry("GEMINI_API_KEY", "k-1");
    }

    @Test
    void redactsTheKeyAndKeyParameters() {
        KeyRedactor r = new KeyRedactor("AIzaSyExample123");
        assertThat(r.redact("wss://host/ws?key=AIzaSyExample123&x=1")).isEqualTo("wss://host/ws?key=<redacted>&x=1");
        assertThat(r.redact("x-goog-api-key: AIzaSyExample123")).isEqualTo("x-goog-api-key: <redacted>");
        assertThat(r.redact("ws://h/p?key=someOtherKey")).isEqualTo("ws://h/p?key=<redacted>");
        assertThat(r.redact("{\"x-goog-api-key\":\"zzz\"}")).isEqualTo("{\"x-goog-api-key\":\"<redacted>\"}");
        assertThat(r.redact("nothing secret")).isEqualTo("nothing secret");
    }

    @Test
    void audioFilesNumberOnOrClear() throws IOException {
        Path out = dir.resolve("a/b");
        AudioFiles fresh = AudioFiles.open(out, false);
        assertThat(out).isDirectory();
        assertThat(fresh.nextFile()).isEqualTo(out.resolve("audio_1.wav"));
        assertThat(fresh.nextFile()).isEqualTo(out.resolve("audio_2.wav"));
        Files.writeString(out.resolve("audio_12.wav"), "");
        Files.writeString(out.resolve("audio_3.wav"), "");
        Files.writeString(out.resolve("audio_.wav"), "");
        assertThat(AudioFiles.open(out, false).nextFile()).isEqualTo(out.resolve("audio_13.wav"));
        assertThat(AudioFiles.open(out, true).nextFile()).isEqualTo(out.resolve("audio_1.wav"));
        assertThat(out.resolve("audio_12.wav")).doesNotExist();
        assertThat(out.resolve("audio_.wav")).doesNotExist();
    }

    @Test
    void everyFailureKindHasAnExitCode() {
        for (LiveException.Kind kind : LiveException.Kind.values()) {
            assertThat(ExitCodes.forKind(kind)).as(kind.name()).isBetween(1, 7);
        }
        assertThat(ExitCodes.forKind(LiveException.Kind.UNAUTHENTICATED)).isEqualTo(3);
        assertThat(ExitCodes.forKind(LiveException.Kind.NOT_FOUND)).isEqualTo(4);
        assertThat(ExitCodes.forKind(LiveException.Kind.TIMEOUT)).isEqualTo(5);
        assertThat(ExitCodes.forKind(LiveException.Kind.UNAVAILABLE)).isEqualTo(5);
        assertThat(ExitCodes.forKind(LiveException.Kind.RESOURCE_EXHAUSTED)).isEqualTo(6);
        assertThat(ExitCodes.forKind(LiveException.Kind.INTERNAL)).isEqualTo(7);
    }

    @Test
    void loopbackBaseUrls() {
        assertThat(ChatCommand.isLoopback(URI.create("http://127.0.0.1:8765"))).isTrue();
        assertThat(ChatCommand.isLoopback(URI.create("ws://localhost:1"))).isTrue();
        assertThat(ChatCommand.isLoopback(URI.create("http://[::1]:9"))).isTrue();
        assertThat(ChatCommand.isLoopback(URI.create("http://127.1.2.3"))).isTrue();
        assertThat(ChatCommand.isLoopback(URI.create("https://generativelanguage.googleapis.com"))).isFalse();
        assertThat(ChatCommand.isLoopback(URI.create("http://10.0.0.1"))).isFalse();
    }
}
