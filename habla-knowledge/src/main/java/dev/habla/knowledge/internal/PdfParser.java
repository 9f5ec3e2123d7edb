package dev.habla.knowledge.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * PDF to blocks with PDFBox: one pass of the text stripper per page, so every block knows its page; paragraphs are
 * the stripper's paragraph breaks (blank lines), or the whole page when it finds none (the chunker cuts it).
 */
public final class PdfParser {
    private PdfParser() {
    }

    public static List<Block> parse(byte[] pdf) throws IOException {
        List<Block> out = new ArrayList<>();
        try (PDDocument doc = Loader.loadPDF(pdf)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setSortByPosition(true);
            stripper.setParagraphEnd("\n\n");
            int pages = doc.getNumberOfPages();
            for (int p = 1; p <= pages; p++) {
                stripper.setStartPage(p);
                stripper.setEndPage(p);
                out.addAll(PlainTextParser.parse(stripper.getText(doc), p));
            }
        }
        return out;
    }
}
