package dev.habla.knowledge.solr;

import dev.habla.knowledge.KnowledgeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Solr configset a {@link SolrKnowledgeStore} collection needs: {@code solrconfig.xml}, {@code schema.xml} (BM25
 * text fields analysed like Lucene's English and Spanish analyzers, a cosine HNSW vector field of the embedding
 * model's dimension, collection-wide BM25 statistics across shards) and the Spanish stop words. Write it to a folder
 * and upload it as usual ({@code bin/solr zk upconfig -n habla -d DIR}, or
 * {@code MiniSolrCloudCluster.Builder.addConfig} in tests), then create the collection with that config.
 */
public final class SolrConfigset {
    private static final String BASE = "/dev/habla/knowledge/solr/configset/";
    private static final List<String> FILES = List.of("solrconfig.xml", "schema.xml", "lang/stopwords_es.txt", "lang/question_words_es.txt");

    private SolrConfigset() {}

    /**
     * Writes the configset's {@code conf} files into {@code dir} (created if needed) for vectors of {@code dimension}
     * floats (the embedder's {@link dev.habla.knowledge.Embedder#dimension()}; 384 for the default model).
     *
     * @return {@code dir}
     */
    public static Path write(Path dir, int dimension) {
        return write(dir, dimension, dimension);
    }

    /**
     * As {@link #write(Path, int)}, with {@code spanishDimension} for the vectors of the second model for Spanish
     * ({@link SolrKnowledgeStore#open(org.apache.solr.client.solrj.SolrClient, String, dev.habla.knowledge.Embedder,
     * dev.habla.knowledge.Embedder)}; 384 for {@code Embedder.spanishModel()}).
     */
    public static Path write(Path dir, int dimension, int spanishDimension) {
        for (int d : new int[] {dimension, spanishDimension}) {
            if (d < 1 || d > 4096) {
                throw new KnowledgeException(KnowledgeException.Kind.BAD_ARGUMENT, "vector dimension must be 1..4096, got " + d);
            }
        }
        try {
            for (String f : FILES) {
                String text;
                try (InputStream in = SolrConfigset.class.getResourceAsStream(BASE + f)) {
                    if (in == null) {
                        throw new IllegalStateException("configset resource missing from the jar: " + f);
                    }
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                Path target = dir.resolve(f);
                Files.createDirectories(target.getParent());
                Files.writeString(target, text.replace("@DIMENSION@", Integer.toString(dimension))
                        .replace("@DIMENSION_ES@", Integer.toString(spanishDimension)));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Solr configset to " + dir, e);
        }
    }
}
