package dev.habla.protocol;

import java.time.Duration;

/** Clip metadata for video parts. */
@ProtoName("VideoMetadata")
public record VideoMetadata(
        Duration startOffset,
        Duration endOffset,
        Double fps) {
}
