package dev.habla.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class IngestTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    @Test
    void markdownPassagesKeepTheirHeadingPathAndSource() throws IOException {
        Path md = write("guide.md", """
                # Returns
                You can return an item within 30 days.

                ## Refunds
                Refunds reach your card in five working days.

                Setext title
                ============
                Paragraph under the setext heading.
                """);
        SourceDocument doc = Ingest.read(md);
        assertThat(doc.source()).isEqualTo(md.toAbsolutePath().normalize().toString());
        assertThat(doc.language()).isEqualTo("en");
        assertThat(doc.contentHash()).hasSize(64);
        assertThat(doc.passages()).extracting(Passage::headingPath).containsExactly(
                List.of("Returns"), List.of("Returns", "Refunds"), List.of("Setext title"));
        assertThat(doc.passages().get(1).text()).isEqualTo("Refunds reach your card in five working days.");
        assertThat(doc.passages().get(1).indexText()).startsWith("Returns > Refunds\n\n");
        assertThat(doc.passages()).extracting(Passage::id).containsExactly(doc.source() + "#0", doc.source() + "#1",
                doc.source() + "#2");
    }

    @Test
    void htmlDropsNavigationAndUsesHeadings() throws IOException {
        Path html = write("page.html", """
                <html lang="es"><head><title>Manual</title><script>var x = 1;</script></head><body>
                <div class="navheader">Anterior Siguiente</div>
                <h1>Capítulo 4. Acreditación</h1>
                <p>Cuando una persona pide acceso al sistema, la acreditación confirma su identidad.</p>
                <h2>4.1. Contraseñas</h2>
                <ul><li><p>Las contraseñas se guardan en el archivo de sombras.</p></li><li>Un elemento simple de la lista</li></ul>
                </body></html>
                """);
        SourceDocument doc = Ingest.read(html);
        assertThat(doc.language()).isEqualTo("es");
        String all = String.join("\n", doc.passages().stream().map(Passage::text).toList());
        assertThat(all).doesNotContain("Anterior").doesNotContain("var x")
                .contains("archivo de sombras").contains("Un elemento simple");
        assertThat(all.indexOf("archivo de sombras")).isEqualTo(all.lastIndexOf("archivo de sombras"));
        assertThat(doc.passages().getLast().headingPath()).containsExactly("Capítulo 4. Acreditación", "4.1. Contraseñas");
    }

    @Test
    void pdfPassagesKnowTheirPage() throws IOException {
        Path pdf = dir.resolve("two-pages.pdf");
        try (PDDocument d = new PDDocument()) {
            for (String text : List.of("The first page talks about invoices.", "The second page covers shipping.")) {
                PDPage page = new PDPage();
                d.addPage(page);
                try (PDPageContentStream cs = new PDPageContentStream(d, page)) {
                    cs.beginText();
                    cs.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    cs.newLineAtOffset(72, 700);
                    cs.showText(text);
                    cs.endText();
                }
            }
            d.save(pdf.toFile());
        }
        SourceDocument doc = Ingest.read(pdf);
        assertThat(doc.passages()).extracting(Passage::page).containsExactly(1, 2);
        assertThat(doc.passages().get(1).text()).contains("shipping");
    }

    @Test
    void longSectionsAreCutWithOverlap() throws IOException {
        StringBuilder b = new StringBuilder("# Long\n\n");
        for (int i = 0; i < 60; i++) b.append("Sentence number ").append(i).append(" says something useful. ");
        SourceDocument doc = Ingest.read(write("long.md", b.toString()), new Ingest.Options(400, 80));
        assertThat(doc.passages()).hasSizeGreaterThan(3);
        for (Passage p : doc.passages()) assertThat(p.text().length()).isLessThanOrEqualTo(401);
        for (int i = 1; i < doc.passages().size(); i++) {
            String prev = doc.passages().get(i - 1).text();
            String next = doc.passages().get(i).text();
            String overlap = next.substring(0, 20);
            assertThat(prev).as("passage %d starts with the end of the previous one", i).contains(overlap);
        }
    }

    @Test
    void plainTextSplitsOnBlankLines() throws IOException {
        SourceDocument doc = Ingest.read(write("notes.txt", "First paragraph.\n\nSecond\nparagraph.\n"));
        assertThat(doc.passages()).hasSize(1);
        assertThat(doc.passages().get(0).text()).isEqualTo("First paragraph.\nSecond paragraph.");
    }

    @Test
    void unsupportedAndUnreadableFilesAreTypedErrors() throws IOException {
        Path png = dir.resolve("logo.png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        assertThatThrownBy(() -> Ingest.read(png)).isInstanceOfSatisfying(KnowledgeException.class,
                e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.UNSUPPORTED_FORMAT));
        Path binary = dir.resolve("binary.txt");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3});
        assertThatThrownBy(() -> Ingest.read(binary)).isInstanceOfSatisfying(KnowledgeException.class,
                e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.UNREADABLE));
        Path badPdf = write("broken.pdf", "not a pdf at all");
        assertThatThrownBy(() -> Ingest.read(badPdf)).isInstanceOfSatisfying(KnowledgeException.class,
                e -> assertThat(e.kind()).isEqualTo(KnowledgeException.Kind.UNREADABLE));
    }
}
