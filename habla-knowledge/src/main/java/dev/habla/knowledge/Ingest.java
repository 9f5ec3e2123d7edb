package dev.habla.knowledge;

import dev.habla.knowledge.internal.Block;
import dev.habla.knowledge.internal.Chunker;
import dev.habla.knowledge.internal.HtmlParser;
import dev.habla.knowledge.internal.MarkdownParser;
import dev.habla.knowledge.internal.PdfParser;
import dev.habla.knowledge.internal.PlainTextParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a file into a {@link SourceDocument}: Markdown ({@code .md}, {@code .markdown}), plain text ({@code .txt},
 * {@code .text}), HTML ({@code .html}, {@code .htm}, {@code .xhtml}; jsoup) and PDF ({@code .pdf}; PDFBox), cut into
 * passages on headings and paragraphs with overlap ({@link Options}), each keeping its source, heading path and page;
 * the document's language is detected (English or Spanish) and its content hashed (SHA-256).
 */
public final class Ingest {

    /** The formats read, by file name ending. */
    public enum Format { MARKDOWN, TEXT, HTML, PDF }

    /**
     * Passage cutting.
     *
     * @param maxChars     longest passage, in characters
     * @param overlapChars characters repeated from the previous passage when a section is cut inside
     */
    public record Options(int maxChars, int overlapChars) {
        public static final Options DEFAULT = new Options(800, 150);
    }

    private Ingest() {
    }

    /** The format of {@code file} by its name, or empty when ingest does not read it. */
    public static Optional<Format> formatOf(Path file) {
        String n = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".md") || n.endsWith(".markdown")) return Optional.of(Format.MARKDOWN);
        if (n.endsWith(".txt") || n.endsWith(".text")) return Optional.of(Format.TEXT);
        if (n.endsWith(".html") || n.endsWith(".htm") || n.endsWith(".xhtml")) return Optional.of(Format.HTML);
        if (n.endsWith(".pdf")) return Optional.of(Format.PDF);
        return Optional.empty();
    }

    /** The source name of a file: its absolute, normalised path. */
    public static String sourceOf(Path file) {
        return file.toAbsolutePath().normalize().toString();
    }

    /** SHA-256 of {@code bytes}, hex. */
    public static String hash(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Reads {@code file} with {@link Options#DEFAULT}. */
    public static SourceDocument read(Path file) {
        return read(file, Options.DEFAULT);
    }

    /**
     * Reads and cuts {@code file}.
     *
     * @throws KnowledgeException {@code UNSUPPORTED_FORMAT} for a file ending ingest does not read,
     *                            {@code UNREADABLE} when it cannot be read or parsed
     */
    public static SourceDocument read(Path file, Options options) {
        Format format = formatOf(file).orElseThrow(() -> new KnowledgeException(
                KnowledgeException.Kind.UNSUPPORTED_FORMAT, "unsupported file type (not .md, .txt, .html or .pdf)"));
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException | SecurityException e) {
            throw new KnowledgeException(KnowledgeException.Kind.UNREADABLE, "cannot read: " + e.getMessage(), e);
        }
        return parse(sourceOf(file), bytes, format, options);
    }

    /** Cuts a document already in memory; {@code source} is what hits will cite. */
    public static SourceDocument parse(String source, byte[] bytes, Format format, Options options) {
        List<Block> blocks;
        try {
            blocks = switch (format) {
                case MARKDOWN -> MarkdownParser.parse(utf8(bytes));
                case TEXT -> PlainTextParser.parse(utf8(bytes), 0);
                case HTML -> HtmlParser.parse(new String(bytes, StandardCharsets.UTF_8));
                case PDF -> PdfParser.parse(bytes);
            };
        } catch (IOException | RuntimeException e) {
            throw new KnowledgeException(KnowledgeException.Kind.UNREADABLE,
                    "cannot parse as " + format.name().toLowerCase(Locale.ROOT) + ": " + e.getMessage(), e);
        }
        StringBuilder all = new StringBuilder();
        for (Block b : blocks) {
            if (all.length() > 20_000) break;
            all.append(b.text()).append('\n');
        }
        String language = Languages.detect(all);
        List<Chunker.Piece> pieces = new Chunker(options.maxChars(), options.overlapChars()).cut(blocks);
        List<Passage> passages = new ArrayList<>(pieces.size());
        for (int i = 0; i < pieces.size(); i++) {
            Chunker.Piece p = pieces.get(i);
            passages.add(new Passage(source + "#" + i, source, p.headingPath(), p.page(), p.text(), language));
        }
        return new SourceDocument(source, hash(bytes), language, passages);
    }

    /** Strict UTF-8: a binary file named .txt is reported as unreadable, not indexed as garbage. */
    private static String utf8(byte[] bytes) throws IOException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8 text", e);
        }
    }
}
