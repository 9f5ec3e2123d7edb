package dev.habla.realtime;

/**
 * One content part of a message item, or the {@code part} of {@code response.content_part.*}. One flat record for
 * all kinds: {@link #type()} says which fields apply.
 *
 * <ul>
 *   <li>{@code input_text}, {@code output_text}, {@code text} (content-part events): {@link #text()}</li>
 *   <li>{@code input_audio}: {@link #audio()} (base64 pcm, as on the wire) and {@link #transcript()}</li>
 *   <li>{@code output_audio}, {@code audio} (content-part events): {@link #transcript()}</li>
 *   <li>{@code input_image}: {@link #imageUrl()} (a {@code data:} URL) and {@link #detail()}</li>
 *   <li>{@code item_reference}: {@link #id()}</li>
 * </ul>
 *
 * Base64 audio stays a string here: item content is rare and big, and nothing needs it decoded on the hot path.
 */
public record ContentPart(
        String type, String text, String audio, String transcript, String imageUrl, String detail, String id) {

    public static ContentPart inputText(String text) {
        return new ContentPart("input_text", text, null, null, null, null, null);
    }

    public static ContentPart outputText(String text) {
        return new ContentPart("output_text", text, null, null, null, null, null);
    }

    public static ContentPart inputAudio(String transcript) {
        return new ContentPart("input_audio", null, null, transcript, null, null, null);
    }

    public static ContentPart outputAudio(String transcript) {
        return new ContentPart("output_audio", null, null, transcript, null, null, null);
    }

    public static ContentPart inputImage(String dataUrl) {
        return new ContentPart("input_image", null, null, null, dataUrl, null, null);
    }

    /** The {@code part} of {@code response.content_part.*} for a text response ({@code type: "text"}). */
    public static ContentPart textPart(String text) {
        return new ContentPart("text", text, null, null, null, null, null);
    }

    /** The {@code part} of {@code response.content_part.*} for an audio response ({@code type: "audio"}). */
    public static ContentPart audioPart(String transcript) {
        return new ContentPart("audio", null, null, transcript, null, null, null);
    }

    @Override
    public String toString() {
        return "ContentPart[type=" + type + ", text=" + text + ", audio=" + (audio == null ? "null" : audio.length() + " chars")
                + ", transcript=" + transcript + ", imageUrl=" + (imageUrl == null ? "null" : imageUrl.length() + " chars")
                + ", id=" + id + "]";
    }
}
