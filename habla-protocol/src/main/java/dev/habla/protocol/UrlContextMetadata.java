package dev.habla.protocol;

import java.util.List;

/** URLs the URL-context tool fetched. */
@ProtoName("UrlContextMetadata")
public record UrlContextMetadata(
        List<UrlContextMetadata.UrlMetadata> urlMetadata) {
    /** One retrieved URL. */
    @ProtoName("UrlMetadata")
    public record UrlMetadata(String retrievedUrl, UrlRetrievalStatus urlRetrievalStatus) {}

    /** Retrieval outcome. */
    public enum UrlRetrievalStatus { URL_RETRIEVAL_STATUS_UNSPECIFIED, URL_RETRIEVAL_STATUS_SUCCESS, URL_RETRIEVAL_STATUS_ERROR,
        URL_RETRIEVAL_STATUS_PAYWALL, URL_RETRIEVAL_STATUS_UNSAFE, UNRECOGNIZED }
}
