package dev.habla.protocol;

import java.util.List;

/** A turn or chunk of content: ordered parts and an optional role ({@code user} or {@code model}). */
@ProtoName("Content")
public record Content(
        List<Part> parts,
        String role) {
    public Content {
        parts = parts == null ? null : List.copyOf(parts);
    }

    /** A content made of one text part. */
    public static Content text(String role, String text) {
        return new Content(List.of(Part.ofText(text)), role);
    }
}
