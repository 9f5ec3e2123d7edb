package dev.habla.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code habla knowledge index|search} end to end, with the built-in embedding model. */
@Timeout(180)
class KnowledgeCommandTest {

    @TempDir
    Path work;

    private CliRun.Result habla(String... args) {
        return CliRun.run(work, work.resolve("home"), Map.of(), "", args);
    }

    private Path docs() throws IOException {
        Path docs = Files.createDirectories(work.resolve("docs"));
        Files.writeString(docs.resolve("returns.md"), """
                # Returns
                You can send back an unused item within 30 days of delivery for a full refund.

                ## Refund timing
                The money is paid back to the original card within five working days.
                """);
        Files.writeString(docs.resolve("shipping.html"), """
                <html><head><title>Shipping</title></head><body><h2>Parcel tracking</h2>
                <p>Every parcel gets a tracking number by e-mail once it leaves the warehouse.</p></body></html>
                """);
        Files.write(docs.resolve("logo.png"), new byte[] {1, 2, 3});
        return docs;
    }

    @Test
    void indexesIncrementallyIntoTheDefaultLocationAndReportsSkippedFiles() throws IOException {
        Path docs = docs();
        CliRun.Result first = habla("knowledge", "index", "docs");
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("3 files: 2 indexed, 0 unchanged, 0 removed, 1 skipped")
                .contains("index home/.habla/knowledge: 2 documents, 3 passages")
                .contains("(embedding model all-minilm-l6-v2-q, Spanish passages also e5-small-v2-q)")
                .contains("docs/logo.png: unsupported file type");
        assertThat(work.resolve("home/.habla/knowledge")).isDirectory();

        Files.writeString(docs.resolve("returns.md"), "# Returns\nReturns are free of charge.\n");
        CliRun.Result second = habla("knowledge", "index", "docs");
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.out()).contains("3 files: 1 indexed, 1 unchanged, 0 removed, 1 skipped")
                .contains("2 documents, 2 passages");
    }

    @Test
    void searchPrintsHitsAndTheVerdictAndJsonInTheIssuesShape() throws IOException {
        docs();
        assertThat(habla("knowledge", "index", "docs", "--index", "idx").exitCode()).isZero();

        CliRun.Result text = habla("knowledge", "search", "when do I get my money back?", "--index", "idx", "-k", "2");
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).startsWith("in domain (relevance ")
                .contains("1. docs/returns.md — Returns > Refund timing")
                .contains("paid back to the original card");

        CliRun.Result json = habla("knowledge", "search", "when do I get my money back?", "--index", "idx",
                "--json", "-k", "1");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertThat(root.get("query").asText()).isEqualTo("when do I get my money back?");
        assertThat(root.get("inDomain").asBoolean()).isTrue();
        assertThat(root.get("hits")).hasSize(1);
        JsonNode hit = root.get("hits").get(0);
        assertThat(hit.get("source").asText()).isEqualTo(work.resolve("docs/returns.md").toString());
        assertThat(hit.get("heading").asText()).isEqualTo("Returns > Refund timing");
        assertThat(hit.get("score").isNumber()).isTrue();
        assertThat(hit.get("text").asText()).contains("original card");
        assertThat(root.get("verdict").get("outcome").asText()).isEqualTo("ANSWER");
        assertThat(root.get("verdict").get("signal").asText()).isEqualTo("COSINE");

        CliRun.Result ood = habla("knowledge", "search", "Who painted the Mona Lisa?", "--index", "idx", "--json",
                "--domain", "our shop's returns and shipping", "--decline", "I only know about returns and shipping.");
        JsonNode verdict = new ObjectMapper().readTree(ood.out());
        assertThat(verdict.get("inDomain").asBoolean()).as(ood.toString()).isFalse();
        assertThat(verdict.get("verdict").get("outcome").asText()).isEqualTo("DECLINE");
        assertThat(verdict.get("verdict").get("sentence").asText()).isEqualTo("I only know about returns and shipping.");
    }

    @Test
    void aMissingIndexOrAnotherModelIsExit66WithOneLine() throws IOException {
        CliRun.Result missing = habla("knowledge", "search", "anything", "--index", "nowhere");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.NO_INDEX);
        assertThat(missing.errLines()).isEqualTo("habla: no knowledge index at nowhere (build one with: habla "
                + "knowledge index DIR --index nowhere)");

        docs();
        assertThat(habla("knowledge", "index", "docs", "--index", "idx").exitCode()).isZero();
        // The built-in model's files under another name: a different model as far as the index knows.
        Path model = work.resolve("m/model.onnx");
        Files.createDirectories(model.getParent());
        for (String[] f : new String[][] {{"/all-minilm-l6-v2-q.onnx", "model.onnx"},
                {"/all-minilm-l6-v2-q-tokenizer.json", "tokenizer.json"}}) {
            try (var in = KnowledgeCommandTest.class.getResourceAsStream(f[0])) {
                Files.copy(in, model.resolveSibling(f[1]));
            }
        }
        CliRun.Result other = habla("knowledge", "search", "refund", "--index", "idx", "--embedding-model", "m/model.onnx");
        assertThat(other.exitCode()).as(other.toString()).isEqualTo(ExitCodes.NO_INDEX);
        assertThat(other.errLines()).startsWith("habla: the index was built with embedding model all-minilm-l6-v2-q")
                .contains("not onnx:model.onnx");
    }

    @Test
    void aNewIndexTakesTheSpanishModelAndRemembersItForSearchAndReindexing() throws IOException {
        Path docs = docs();
        Files.writeString(docs.resolve("devoluciones.md"), """
                # Devoluciones
                Puede devolver un artículo sin usar en los 30 días siguientes a la entrega.

                ## Reembolsos
                El dinero se devuelve a la tarjeta original en cinco días laborables.
                """);
        // A new index built with the built-in model takes the Spanish model by default.
        CliRun.Result built = habla("knowledge", "index", "docs", "--index", "idx");
        assertThat(built.exitCode()).as(built.toString()).isZero();
        assertThat(dev.habla.knowledge.lucene.LuceneKnowledgeStore.recordedSpanishModel(work.resolve("idx")))
                .contains(dev.habla.knowledge.Embedder.SPANISH_MODEL);

        // No option needed afterwards: the index says which models it needs.
        CliRun.Result es = habla("knowledge", "search", "¿Cuándo me devuelven el dinero a la tarjeta?", "--index", "idx",
                "-k", "1");
        assertThat(es.exitCode()).as(es.toString()).isZero();
        assertThat(es.out()).contains("docs/devoluciones.md — Devoluciones > Reembolsos");
        Files.writeString(docs.resolve("devoluciones.md"), "# Devoluciones\nLas devoluciones son gratuitas.\n");
        CliRun.Result again = habla("knowledge", "index", "docs", "--index", "idx");
        assertThat(again.exitCode()).as(again.toString()).isZero();

        // An index built without it refuses it: another set of models.
        CliRun.Result plain = habla("knowledge", "index", "docs", "--index", "plain", "--no-spanish-model");
        assertThat(plain.exitCode()).as(plain.toString()).isZero();
        assertThat(plain.out()).contains("(embedding model all-minilm-l6-v2-q)");
        assertThat(dev.habla.knowledge.lucene.LuceneKnowledgeStore.recordedSpanishModel(work.resolve("plain")))
                .isEmpty();
        assertThat(habla("knowledge", "index", "docs", "--index", "plain").exitCode())
                .as("re-indexing keeps what the index was built with").isZero();
        CliRun.Result refused = habla("knowledge", "index", "docs", "--index", "plain", "--spanish-model");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.NO_INDEX);
        assertThat(refused.errLines()).contains("without a Spanish model");
    }

    @Test
    void badUsageIsExit64() {
        assertThat(habla("knowledge", "search", "q", "-k", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(habla("knowledge", "index").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(habla("knowledge", "search", "q", "--threshold", "3").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(habla("knowledge", "search", "q", "--coverage-threshold", "-1").exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void theProgressBarRedrawsOneLineAndClearsIt() {
        var bytes = new java.io.ByteArrayOutputStream();
        var err = new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8);
        var bar = new KnowledgeIndexCommand.ProgressBar(err, true);
        bar.onFile(1, 4, Path.of("docs/a.md"));
        bar.onFile(4, 4, Path.of("docs/d.md")); // the last file is always drawn
        bar.onCommit(); // the commit may merge the index: the line says so instead of sitting full
        bar.finish();
        String drawn = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(drawn).startsWith("\r[#######.......................] 1/4 a.md")
                .contains("\r[##############################] 4/4 d.md")
                .contains("\r[##############################] saving the index (merging)…")
                .doesNotContain("\n").endsWith("\r");
        String[] lines = drawn.split("\r");
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).as("within the width finish() clears")
                .isLessThanOrEqualTo(75));
        var off = new java.io.ByteArrayOutputStream();
        var quiet = new KnowledgeIndexCommand.ProgressBar(new java.io.PrintStream(off), false);
        quiet.onFile(1, 1, Path.of("x.md"));
        quiet.finish();
        assertThat(off.size()).as("not a terminal: nothing drawn").isZero();
    }
}
