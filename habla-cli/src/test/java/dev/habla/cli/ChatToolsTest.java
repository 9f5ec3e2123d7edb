package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code habla chat --tools}: built-in tools answered inline, code execution and grounding rendered. */
@Timeout(60)
class ChatToolsTest {
    @TempDir
    Path work;
    @TempDir
    Path home;
    LiveEmulator emu;

    @RegisterExtension
    final EmulatorExtension live = new EmulatorExtension();

    @BeforeEach
    void bind() {
        emu = live.emulator();
    }

    private CliRun.Result chat(String stdin, String... extra) {
        String[] args = new String[extra.length + 5];
        args[0] = "chat";
        args[1] = "--base-url";
        args[2] = emu.baseUrl();
        args[3] = "--model";
        args[4] = ChatCommand.EMULATOR_TEXT_MODEL;
        System.arraycopy(extra, 0, args, 5, extra.length);
        return CliRun.run(work, home, Map.of(), stdin, args);
    }

    @Test
    void calculatorCallIsShownInlineAndAnswered() {
        CliRun.Result r = chat("call calculator {\"expression\":\"6*7\"}\nexit\n", "--tools");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("\\[tool calculator \\{\"expression\":\"6\\*7\"\\} → \\{\"value\":42\\} in \\d+ ms\\]");
        assertThat(r.out()).contains("Tool calculator returned {\"output\":{\"value\":42}}");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void readFileNeedsAnAllowedFolder() throws Exception {
        Path docs = Files.createDirectories(work.resolve("docs"));
        Files.writeString(docs.resolve("notes.txt"), "buy milk", StandardCharsets.UTF_8);
        CliRun.Result r = chat("call read_file {\"path\":\"notes.txt\"}\ncall read_file {\"path\":\"../secret.txt\"}\nexit\n",
                "--tools", "--allow-dir", "docs");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"content\":\"buy milk\"");
        assertThat(r.out()).contains("error: access denied: ../secret.txt is outside the allowed folders");

        CliRun.Result usage = chat("exit\n", "--allow-dir", "docs");
        assertThat(usage.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(usage.err()).contains("--allow-dir needs --tools");
        CliRun.Result missing = chat("exit\n", "--tools", "--allow-dir", "nope");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("--allow-dir nope: not a directory");
    }

    @Test
    void withoutToolsNothingIsDeclared() {
        CliRun.Result r = chat("call calculator {}\nexit\n");
        assertThat(r.out()).contains("Function calculator is not declared.");
    }

    @Test
    void codeExecutionAndGroundingAreRendered() {
        emu.enqueue(Script.create(script -> script
                .expect("a setup declaring code execution and search", m -> m instanceof ClientMessage.Setup s && s.tools() != null
                        && s.tools().stream().anyMatch(t -> t.codeExecution() != null)
                        && s.tools().stream().anyMatch(t -> t.googleSearch() != null))
                .send(new ServerMessage.SetupComplete(null))
                .expect(ClientMessage.ClientContent.class)
                .send(ServerMessage.ServerContent.modelTurn(new Content(List.of(
                        Part.ofExecutableCode(new ExecutableCode(ExecutableCode.Language.PYTHON, "print(6 * 7)")),
                        Part.ofCodeExecutionResult(new CodeExecutionResult(CodeExecutionResult.Outcome.OUTCOME_OK, "42"))), "model")))
                .send(ServerMessage.ServerContent.modelTurn(Content.text("model", "It is 42.")))
                .send(new ServerMessage.ServerContent(null, false, false, false, new GroundingMetadata(null,
                        List.of(GroundingMetadata.GroundingChunk.web("https://example.org/answer", "The Answer")), null, null,
                        List.of("answer to everything"), null), null, null, null, false, null))
                .send(ServerMessage.ServerContent.turnCompleted())));
        CliRun.Result r = chat("what is 6*7?\nexit\n", "--code-execution", "--google-search");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("[code python]\n  print(6 * 7)\n[result ok]\n  42\n");
        assertThat(r.out()).contains("It is 42.");
        assertThat(r.out()).contains("Searched: answer to everything\nSources: 1. The Answer — https://example.org/answer\n");
    }

    @Test
    void theEmulatorAnswersCodeExecutionAndSearchItself() {
        CliRun.Result r = chat("run print((6 + 1) * 6)\nrun import os\nsearch habla java\nexit\n",
                "--code-execution", "--google-search");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("[code python]\n  print((6 + 1) * 6)\n[result ok]\n  42\n").contains("The code printed 42.");
        assertThat(r.out()).contains("[code python]\n  import os\n[result failed]\n  The emulator runs print(<arithmetic>) only.\n")
                .contains("The code failed.");
        assertThat(r.out()).contains("Searched: habla java\nSources: 1. Results for habla java — https://example.com/search?q=habla+java\n")
                .contains("I searched for habla java.");
        // Not declared: plain text, as before.
        CliRun.Result plain = chat("run print(1)\nexit\n");
        assertThat(plain.out()).contains("You said: run print(1)").doesNotContain("[code");
    }
}
