package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.FunctionCall;
import dev.habla.tools.internal.Calculator;
import dev.habla.tools.internal.Calculator.CalculatorException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class BuiltinToolsTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode run(FunctionTool tool, String args) throws Exception {
        return ToolRegistry.of(tool).handle(new FunctionCall("c1", tool.name(), args == null ? null : JSON.readTree(args)))
                .get(5, TimeUnit.SECONDS).response();
    }

    // ---- clock ----

    @Test
    void clockReadsTheInjectedClock() throws Exception {
        Clock fixed = Clock.fixed(Instant.parse("2026-05-01T12:03:07.123Z"), ZoneId.of("Europe/Madrid"));
        JsonNode r = run(BuiltinTools.clock(fixed), null);
        assertThat(r.toString()).isEqualTo("{\"output\":\"2026-05-01T14:03:07+02:00[Europe/Madrid]\"}");
        assertThat(BuiltinTools.clock(fixed).parameters()).isNull();
        assertThat(run(BuiltinTools.clock(fixed), "{\"zone\":\"UTC\"}").get("error").asText()).contains("unknown argument 'zone'");
    }

    // ---- calculator ----

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
            "6*7 | 42",
            "1 + 2 * 3 | 7",
            "(1 + 2) * 3 | 9",
            "10 - 4 - 3 | 3",
            "100 / 10 / 5 | 2",
            "7 % 4 | 3",
            "2 ^ 10 | 1024",
            "2 ^ 3 ^ 2 | 512",
            "2 ** 3 | 8",
            "-2 ^ 2 | -4",
            "(-2) ^ 2 | 4",
            "2 ^ -1 | 0.5",
            "-3 + 5 | 2",
            "--3 | 3",
            "-(2 + 3) * 2 | -10",
            "+4 | 4",
            "1.5 * 4 | 6",
            ".5 + .25 | 0.75",
            "1e3 + 1 | 1001",
            "2.5e-1 | 0.25",
            "0.1 + 0.2 | 0.3",
            "sqrt(16) + abs(-2) | 6",
            "min(3, 1, 2) * max(4, 9) | 9",
            "max(-1) | -1",
            "round(2.5) | 3",
            "round(-2.5) | -3",
            "round(3.14159, 2) | 3.14",
            "sqrt(2) ^ 2 | 2",
            "2 * pi | 6.28318530717959",
            "  ( ( 1 ) )  | 1",
            "10 / 4 | 2.5",
            "-7 % 3 | -1",
    })
    void evaluates(String expression, String expected) {
        Number v = Calculator.tidy(Calculator.evaluate(expression));
        assertThat(v.toString()).isEqualTo(expected.contains(".") ? String.valueOf(Double.parseDouble(expected)) : expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "6*/7 | unexpected '/' at position 3",
            "'' | empty expression",
            "1 + | unexpected end of expression at position 4",
            "(1 + 2 | missing ')' for the '(' at position 1",
            "1 + 2) | unexpected ')' at position 6",
            "2 (3) | unexpected '(' at position 3",
            "1 / 0 | division by zero at position 3",
            "5 % (2 - 2) | modulo by zero at position 3",
            "sqrt(-1) | sqrt of a negative number at position 1",
            "foo(1) | unknown function 'foo' at position 1",
            "x + 1 | unknown name 'x' at position 1",
            "sqrt 4 | sqrt at position 1 needs its arguments in parentheses",
            "sqrt(1, 2) | sqrt takes 1 argument, got 2",
            "min() | min takes at least 1 argument, got 0",
            "round(1, 2, 3) | round takes 1 or 2 arguments, got 3",
            "round(1, 0.5) | round: digits must be a whole number",
            "10 ^ 400 | result too large at position 4",
            "(-8) ^ 0.5 | undefined power",
            "1.2.3 | unexpected '.' at position 4",
            "2e | unexpected 'e' at position 2",
            "3 $ 4 | unexpected '$' at position 3",
            "1,2 | unexpected ',' at position 2",
    })
    void reportsErrorsWithPositions(String expression, String message) {
        assertThatThrownBy(() -> Calculator.evaluate(expression)).isInstanceOf(CalculatorException.class).hasMessageContaining(message);
    }

    @Test
    void hostileInputIsBounded() {
        assertThatThrownBy(() -> Calculator.evaluate("(".repeat(400) + "1" + ")".repeat(400)))
                .hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> Calculator.evaluate("-".repeat(400) + "1")).hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> Calculator.evaluate("1+".repeat(600) + "1")).hasMessageContaining("expression too long");
        assertThat(Calculator.evaluate("1+".repeat(400) + "1")).isEqualTo(401);
    }

    @Test
    void calculatorToolAnswersValueOrError() throws Exception {
        assertThat(run(BuiltinTools.calculator(), "{\"expression\":\"6*7\"}").toString()).isEqualTo("{\"output\":{\"value\":42}}");
        assertThat(run(BuiltinTools.calculator(), "{\"expression\":\"1/4\"}").toString()).isEqualTo("{\"output\":{\"value\":0.25}}");
        assertThat(run(BuiltinTools.calculator(), "{\"expression\":\"6*/7\"}").toString())
                .isEqualTo("{\"error\":\"unexpected '/' at position 3\"}");
        assertThat(run(BuiltinTools.calculator(), "{}").toString()).contains("missing required argument 'expression'");
    }

    // ---- read_file ----

    @TempDir
    Path tmp;
    Path allowed;
    Path secret;

    @BeforeEach
    void files() throws IOException {
        allowed = Files.createDirectories(tmp.resolve("allowed"));
        Files.createDirectories(allowed.resolve("sub"));
        Files.writeString(allowed.resolve("notes.txt"), "café ☕ notes\n", StandardCharsets.UTF_8);
        Files.writeString(allowed.resolve("sub/deep.txt"), "deep", StandardCharsets.UTF_8);
        secret = Files.createDirectories(tmp.resolve("secret"));
        Files.writeString(secret.resolve("password.txt"), "hunter2", StandardCharsets.UTF_8);
    }

    @Test
    void readsFilesInsideTheAllowedFolders() throws Exception {
        FunctionTool t = BuiltinTools.readFile(List.of(allowed));
        JsonNode out = run(t, "{\"path\":\"notes.txt\"}").get("output");
        assertThat(out.get("content").asText()).isEqualTo("café ☕ notes\n");
        assertThat(out.get("truncated").asBoolean()).isFalse();
        assertThat(out.get("sizeBytes").asLong()).isEqualTo("café ☕ notes\n".getBytes(StandardCharsets.UTF_8).length);
        assertThat(out.has("note")).isFalse();
        assertThat(out.get("path").asText()).isEqualTo(allowed.toRealPath().resolve("notes.txt").toString());
        assertThat(run(t, "{\"path\":\"sub/../sub/deep.txt\"}").get("output").get("content").asText()).isEqualTo("deep");
        assertThat(run(t, "{\"path\":\"" + allowed.resolve("sub/deep.txt") + "\"}").get("output").get("content").asText())
                .isEqualTo("deep");
        assertThat(t.description()).contains(allowed.toRealPath().toString());
    }

    @Test
    void refusesPathsOutsideTheAllowedFolders() throws Exception {
        FunctionTool t = BuiltinTools.readFile(List.of(allowed));
        assertThat(error(t, secret.resolve("password.txt").toString())).contains("access denied").contains("outside the allowed folders");
        assertThat(error(t, "../secret/password.txt")).contains("access denied");
        assertThat(error(t, "sub/../../secret/password.txt")).contains("access denied");
        assertThat(error(t, "/etc/passwd")).contains("access denied");
        // Outside paths get the same answer whether or not they exist.
        assertThat(error(t, "../secret/nope.txt")).contains("access denied");
    }

    @Test
    void refusesSymlinksThatEscape() throws Exception {
        Path link = allowed.resolve("escape.txt");
        Path dirLink = allowed.resolve("escape-dir");
        try {
            Files.createSymbolicLink(link, secret.resolve("password.txt"));
            Files.createSymbolicLink(dirLink, secret);
        } catch (UnsupportedOperationException | IOException e) {
            assumeTrue(false, "symbolic links not supported here: " + e);
        }
        FunctionTool t = BuiltinTools.readFile(List.of(allowed));
        assertThat(error(t, "escape.txt")).contains("access denied");
        assertThat(error(t, "escape-dir/password.txt")).contains("access denied");
        // A link that stays inside is fine.
        Files.createSymbolicLink(allowed.resolve("inside.txt"), allowed.resolve("notes.txt"));
        assertThat(run(t, "{\"path\":\"inside.txt\"}").get("output").get("content").asText()).startsWith("café");
    }

    @Test
    void capsTheSizeAndSaysSo() throws Exception {
        // 10 bytes cap: "aaaaaaaaa" + the first byte of "é" would split a character; it is dropped, not garbled.
        Files.writeString(allowed.resolve("big.txt"), "aaaaaaaaaé and much more text", StandardCharsets.UTF_8);
        FunctionTool t = BuiltinTools.readFile(List.of(allowed), 10);
        JsonNode out = run(t, "{\"path\":\"big.txt\"}").get("output");
        assertThat(out.get("truncated").asBoolean()).isTrue();
        assertThat(out.get("content").asText()).isEqualTo("aaaaaaaaa");
        assertThat(out.get("sizeBytes").asLong()).isEqualTo(30);
        assertThat(out.get("note").asText()).isEqualTo("truncated: only the first 10 of 30 bytes are shown");

        Files.write(allowed.resolve("large.txt"), "x".repeat(100_000).getBytes(StandardCharsets.UTF_8));
        JsonNode large = run(BuiltinTools.readFile(List.of(allowed)), "{\"path\":\"large.txt\"}").get("output");
        assertThat(large.get("content").asText()).hasSize(64 * 1024);
        assertThat(large.get("truncated").asBoolean()).isTrue();
    }

    @Test
    void clearErrorsForMissingDirectoriesAndBinaryFiles() throws Exception {
        FunctionTool t = BuiltinTools.readFile(List.of(allowed));
        assertThat(error(t, "missing.txt")).isEqualTo("no such file: missing.txt");
        assertThat(error(t, "sub")).isEqualTo("sub is a directory, not a file");
        assertThat(error(t, "")).isEqualTo("path is empty");
        Files.write(allowed.resolve("image.bin"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        assertThat(error(t, "image.bin")).contains("not a text file");
        Files.write(allowed.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '!'});
        assertThat(error(t, "latin1.txt")).isEqualTo("latin1.txt is not a UTF-8 text file");
    }

    @Test
    void allowedFoldersMustExist() {
        assertThatThrownBy(() -> BuiltinTools.readFile(List.of(tmp.resolve("nope")))).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> BuiltinTools.readFile(List.of())).hasMessageContaining("at least one allowed folder");
        assertThat(BuiltinTools.all(Clock.systemUTC(), List.of())).extracting(FunctionTool::name).containsExactly("clock", "calculator");
        assertThat(BuiltinTools.all(Clock.systemUTC(), List.of(allowed))).extracting(FunctionTool::name)
                .containsExactly("clock", "calculator", "read_file");
    }

    private static String error(FunctionTool t, String path) throws Exception {
        JsonNode r = run(t, JSON.createObjectNode().put("path", path).toString());
        assertThat(r.has("error")).as("expected an error for %s but got %s", path, r).isTrue();
        return r.get("error").asText();
    }
}
