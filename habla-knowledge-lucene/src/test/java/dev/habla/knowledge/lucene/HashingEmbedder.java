package dev.habla.knowledge.lucene;

import dev.habla.knowledge.Embedder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A fake embedding model for fast store tests: a bag of lower-cased words hashed into {@code dimension} buckets,
 * L2-normalised. Texts sharing words are close, so kNN and the top-1 cosine behave meaningfully; no ONNX needed.
 */
final class HashingEmbedder implements Embedder {
    private final String name;
    private final int dimension;

    HashingEmbedder(String name, int dimension) {
        this.name = name;
        this.dimension = dimension;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public float[] embed(String text) {
        float[] v = new float[dimension];
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) v[Math.floorMod(w.hashCode(), dimension)] += 1;
        }
        double n = 0;
        for (float x : v) n += x * x;
        if (n == 0) {
            v[0] = 1;
            return v;
        }
        float inv = (float) (1 / Math.sqrt(n));
        for (int i = 0; i < v.length; i++) v[i] *= inv;
        return v;
    }

    @Override
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> out = new ArrayList<>();
        for (String t : texts) out.add(embed(t));
        return out;
    }
}
