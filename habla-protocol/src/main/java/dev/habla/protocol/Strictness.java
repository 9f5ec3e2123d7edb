package dev.habla.protocol;

/** How a decoder treats what it does not know. */
public enum Strictness {
    /**
     * Reject unknown fields, bad enum values, several oneof members, bad base64 and anything but exactly one top-level
     * key, with an error naming the field: what the service's proto parser rejects. For the emulator.
     */
    STRICT,
    /** Tolerate and keep unknown fields and enum values ({@link UnknownField}); never fail on growth of the API. */
    LENIENT
}
