package dev.habla.protocol;

import java.util.Arrays;

/** Inline media: a MIME type and raw bytes (base64 on the wire). */
@ProtoName("Blob")
public record Blob(
        String mimeType,
        byte[] data) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Blob b && java.util.Objects.equals(mimeType, b.mimeType) && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Objects.hashCode(mimeType) + Arrays.hashCode(data);
    }

    /** Prints the size, never the bytes: audio buffers would flood logs. */
    @Override
    public String toString() {
        return "Blob[mimeType=" + mimeType + ", data=" + (data == null ? "null" : data.length + " bytes") + "]";
    }
}
