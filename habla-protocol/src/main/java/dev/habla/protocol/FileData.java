package dev.habla.protocol;

/** A reference to uploaded media. */
@ProtoName("FileData")
public record FileData(
        String mimeType,
        String fileUri) {
}
