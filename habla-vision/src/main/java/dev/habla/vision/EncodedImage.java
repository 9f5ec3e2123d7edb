package dev.habla.vision;

/** A frame or image as sent: JPEG bytes ({@code image/jpeg}) and the pixel size after downscaling. */
public record EncodedImage(byte[] jpeg, int width, int height) {
    public static final String MIME_TYPE = "image/jpeg";
}
