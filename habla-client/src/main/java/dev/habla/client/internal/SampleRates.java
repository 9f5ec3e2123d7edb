package dev.habla.client.internal;

import dev.habla.protocol.Blob;

/**
 * The sample rate named by an audio MIME type ({@link Blob#sampleRate}), with a one-entry cache: every audio chunk of
 * a session carries the same type, so the parse (a split and an int parse) runs once per type, not once per chunk.
 * One instance per default rate: input audio defaults to 16 kHz, output audio to 24 kHz.
 *
 * <p>Threads: any. Racy on purpose: any thread may replace the entry, readers see some complete entry (a record with
 * final fields), and a miss only costs the parse.
 */
final class SampleRates {
    /** Rates of client audio (the API's default 16 kHz). */
    static final SampleRates INPUT = new SampleRates(GeminiProvider.INPUT_RATE);
    /** Rates of model audio (the API's default 24 kHz). */
    static final SampleRates OUTPUT = new SampleRates(GeminiProvider.DEFAULT_OUTPUT_RATE);

    /** A MIME type and its rate. */
    private record Entry(String mime, int rate) {}

    private final int absent;
    private volatile Entry last;

    private SampleRates(int absent) {
        this.absent = absent;
        this.last = new Entry("", absent);
    }

    /** The rate {@code mime} names, or this instance's default when it names none (or is null). */
    int of(String mime) {
        Entry e = last;
        if (e.mime().equals(mime)) {
            return e.rate();
        }
        int rate = Blob.sampleRate(mime, absent);
        if (mime != null) {
            last = new Entry(mime, rate);
        }
        return rate;
    }
}
