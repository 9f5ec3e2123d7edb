package dev.habla.protocol;

/** Incremental transcript text; {@code finished} (newer than the v1beta proto) marks the end of a segment. */
@ProtoName("BidiGenerateContentTranscription")
public record Transcription(
        String text,
        @Extension boolean finished) {
}
