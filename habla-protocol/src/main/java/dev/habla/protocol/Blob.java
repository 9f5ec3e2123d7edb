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

    /** The MIME type of 16-bit little-endian mono PCM at {@code rate} Hz, as the service writes it ({@code audio/pcm;rate=24000}). */
    public static String pcmMimeType(int rate) {
        return "audio/pcm;rate=" + rate;
    }

    /**
     * The {@code rate=} parameter of an audio MIME type ({@code audio/pcm;rate=24000}; name case and spaces around
     * {@code =} ignored), or {@code absent} when the type is null, names no rate, or names one that is not a positive
     * int. The API's default is 16 kHz for input audio and 24 kHz for output audio, so the caller says which.
     */
    public static int sampleRate(String mimeType, int absent) {
        if (mimeType == null) {
            return absent;
        }
        for (String param : mimeType.split(";")) {
            int eq = param.indexOf('=');
            if (eq < 0 || !param.substring(0, eq).strip().equalsIgnoreCase("rate")) {
                continue;
            }
            try {
                int rate = Integer.parseInt(param.substring(eq + 1).strip());
                if (rate > 0) {
                    return rate;
                }
            } catch (NumberFormatException e) {
                // not a rate: the default below
            }
        }
        return absent;
    }

    /** Prints the size, never the bytes: audio buffers would flood logs. */
    @Override
    public String toString() {
        return "Blob[mimeType=" + mimeType + ", data=" + (data == null ? "null" : data.length + " bytes") + "]";
    }
}
