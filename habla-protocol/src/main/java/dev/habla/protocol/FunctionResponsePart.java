package dev.habla.protocol;

/** Multimodal part of a function response. */
@ProtoName("FunctionResponsePart")
public record FunctionResponsePart(
        @OneOf("data") Blob inlineData) {
}
