package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerMessage;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The default brain uses the knowledge it is given: it quotes the best passage and names its source. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KnowledgeTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    static final String BLOCK = """
            [knowledge]
            Passages from the user's documents, best first.
            [1] source: manual/backup.md (Backups › Restoring)
            To restore a backup, stop the service first. Then copy the archive back.
            [2] source: manual/install.md (Install)
            Run the installer as root.
            [/knowledge]
            """;

    @Test
    void aQuestionCarryingPassagesIsAnsweredFromTheBestOneWithItsSource(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            // As habla-knowledge-live sends it to models that take clientContent mid-session: block and question as two parts.
            c.send(new ClientMessage.ClientContent(List.of(new Content(
                    List.of(Part.ofText(BLOCK), Part.ofText("how do I restore a backup?")), "user")), true));
            assertThat(Fixtures.text(c.untilTurnComplete()))
                    .isEqualTo("From manual/backup.md (Backups › Restoring): To restore a backup, stop the service first.");

            // Realtime text (Gemini 3.x) carries the block inside the one text: the same rule.
            c.send(ClientMessage.RealtimeInput.ofText(BLOCK.replace("[1] source: manual/backup.md (Backups › Restoring)\n"
                    + "To restore a backup, stop the service first. Then copy the archive back.\n", "") + "how do I install?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("From manual/install.md (Install): Run the installer as root.");

            // An empty block: nothing found. Without a block the usual echo.
            c.send(ClientMessage.ClientContent.userText("[knowledge]\nPassages from the user's documents, best first.\n[/knowledge]\nwho won?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("I found nothing about that in the documents.");
            // A decline directive: the sentence, verbatim.
            c.send(ClientMessage.ClientContent.userText("[knowledge]\nThe question below is outside cooking: do not answer it.\n"
                    + "[decline] Lo siento, solo hablo de cocina.\n[/knowledge]\nwho won?"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Lo siento, solo hablo de cocina.");
            c.send(ClientMessage.ClientContent.userText("plain"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: plain");
        }
    }

    @Test
    void aLongPassageIsQuotedUpToItsFirstSentenceCutAtAWord(LiveEmulator emu) throws Exception {
        String longSentence = "word ".repeat(60).strip() + ".";
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.ClientContent.userText("[knowledge]\n[1] source: a.txt\n" + longSentence + "\n[/knowledge]\nq"));
            String reply = Fixtures.text(c.untilTurnComplete());
            assertThat(reply).startsWith("From a.txt: word word").endsWith("word…");
            assertThat(reply.length()).isLessThanOrEqualTo("From a.txt: ".length() + 161);
        }
    }

    @Test
    void aKnowledgeSearchToolResultIsQuotedAndAnOutOfDomainOneDeclined(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text().tools("search_knowledge"))) {
            c.send(ClientMessage.ClientContent.userText("call search_knowledge {\"query\":\"restore backup\"}"));
            FunctionCall fc = ((ServerMessage.ToolCall) c.next().message()).functionCalls().getFirst();
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fc.id() + "\",\"response\":{\"inDomain\":true,"
                    + "\"passages\":[{\"source\":\"manual/backup.md\",\"heading\":\"Restoring\",\"text\":\"Stop the service. Copy back.\"}]}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("From manual/backup.md (Restoring): Stop the service.");

            c.send(ClientMessage.ClientContent.userText("call search_knowledge {\"query\":\"football\"}"));
            FunctionCall fc2 = ((ServerMessage.ToolCall) c.next().message()).functionCalls().getFirst();
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fc2.id() + "\",\"response\":{\"inDomain\":false,"
                    + "\"passages\":[],\"decline\":\"Solo respondo sobre el manual.\"}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("Solo respondo sobre el manual.");

            // As habla-tools' ToolRunner sends a result: wrapped in "output".
            c.send(ClientMessage.ClientContent.userText("call search_knowledge {\"query\":\"install\"}"));
            FunctionCall fc3 = ((ServerMessage.ToolCall) c.next().message()).functionCalls().getFirst();
            c.sendText("{\"toolResponse\":{\"functionResponses\":[{\"id\":\"" + fc3.id() + "\",\"response\":{\"output\":{"
                    + "\"inDomain\":true,\"passages\":[{\"source\":\"manual/install.md\",\"text\":\"Run the installer.\"}]}}}]}}");
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("From manual/install.md: Run the installer.");
        }
    }
}
