package dev.habla.knowledge;

/**
 * What an index holds and which embedding model made its vectors.
 *
 * @param embeddingModel the {@link Embedder#name()} stored with the index when it was created
 * @param dimension      the vectors' dimension
 * @param documents      source files in the index
 * @param passages       passages in the index
 */
public record IndexInfo(String embeddingModel, int dimension, int documents, long passages) {
}
