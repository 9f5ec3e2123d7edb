package dev.habla.protocol;

import java.util.List;

/** Token accounting; may accompany any server message (usually {@code turnComplete}). */
@ProtoName("UsageMetadata")
public record UsageMetadata(
        int promptTokenCount,
        int cachedContentTokenCount,
        int responseTokenCount,
        int toolUsePromptTokenCount,
        int thoughtsTokenCount,
        int totalTokenCount,
        List<UsageMetadata.ModalityTokenCount> promptTokensDetails,
        List<UsageMetadata.ModalityTokenCount> cacheTokensDetails,
        List<UsageMetadata.ModalityTokenCount> responseTokensDetails,
        List<UsageMetadata.ModalityTokenCount> toolUsePromptTokensDetails) {
    /** Tokens of one modality. */
    @ProtoName("ModalityTokenCount")
    public record ModalityTokenCount(Modality modality, int tokenCount) {}

    /** Content modalities (content.proto numbering). */
    public enum Modality { MODALITY_UNSPECIFIED, TEXT, IMAGE, VIDEO, AUDIO, DOCUMENT, UNRECOGNIZED }

    /** Simple totals without per-modality details. */
    public static UsageMetadata of(int prompt, int response) {
        return new UsageMetadata(prompt, 0, response, 0, 0, prompt + response, null, null, null, null);
    }
}
