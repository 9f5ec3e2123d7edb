package dev.habla.client;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * How a {@link LiveClient} reaches the service: endpoint, credentials, timeouts, queue budget. Immutable; built through
 * {@link LiveClient#create(Consumer)} or {@link #create(Consumer)}. {@link #toString()} never prints secrets.
 *
 * @param apiKey               Gemini API key (sent as {@code x-goog-api-key}); a value starting with
 *                             {@code auth_tokens/} is treated as an ephemeral token
 * @param ephemeralToken       ephemeral token {@code auth_tokens/…}: uses {@code BidiGenerateContentConstrained}
 *                             and {@code Authorization: Token …}
 * @param baseUrl              service root; {@code http}→{@code ws}, {@code https}→{@code wss}, {@code ws}/{@code wss} kept;
 *                             null = {@code https://generativelanguage.googleapis.com} (Vertex: the regional host)
 * @param apiVersion           {@code v1}, {@code v1beta}, {@code v1alpha}… null = {@code v1beta}
 *                             ({@code v1alpha} with an ephemeral token, {@code v1beta1} on Vertex)
 * @param vertex               Vertex AI settings, or null for the Gemini Developer API
 * @param connectTimeout       bound on handshake plus setupComplete
 * @param pingInterval         WebSocket ping period (also detects dead peers); {@link Duration#ZERO} disables
 * @param closeTimeout         how long {@code close()} waits for the peer's close frame before aborting
 * @param sendQueueBudgetBytes bound on bytes waiting in a session's outbound queue
 * @param wireLog              receives every frame's text (secrets redacted, base64 abbreviated), or null; called from
 *                             several threads (writer, reader, HTTP callbacks), so it must be thread-safe and quick
 * @param transport            the WebSocket client underneath; null = the system property {@value #TRANSPORT_PROPERTY}
 *                             ({@code netty}, {@code jetty} or {@code jdk}) if set, else {@link #DEFAULT_TRANSPORT}
 * @param permessageDeflate    offer permessage-deflate compression (Netty and Jetty transports; used if the server
 *                             accepts it)
 * @param provider             the service's wire and rules; null = {@link Provider#GEMINI}
 * @param record               a cassette file to record every connection of this client to (every frame both ways,
 *                             timed, connection boundaries, credentials redacted; format in habla-emulator/README.md,
 *                             "Record and replay"), or null; created or truncated when the client is created
 * @param recordAudio          audio as sent, or a same-length silent placeholder; null = {@code KEEP}
 */
public record ClientConfig(
        String apiKey,
        String ephemeralToken,
        URI baseUrl,
        String apiVersion,
        Vertex vertex,
        Duration connectTimeout,
        Duration pingInterval,
        Duration closeTimeout,
        long sendQueueBudgetBytes,
        Consumer<String> wireLog,
        Transport transport,
        boolean permessageDeflate,
        Provider provider,
        java.nio.file.Path record,
        dev.habla.protocol.Cassette.Audio recordAudio) {

    /**
     * The WebSocket client a {@link LiveClient} uses. Both behave the same (same tests, same errors, same flow control);
     * they differ in speed and features (habla-client/README.md, "Transports").
     */
    public enum Transport {
        /**
         * Netty's WebSocket client codec: a connection can share an event loop with a server's socket (the gateway's
         * upstream), sends do not wait for the socket; can offer permessage-deflate.
         */
        NETTY,
        /** Jetty 12's WebSocket client: less CPU per message than the JDK's, faster decode; can offer permessage-deflate. */
        JETTY,
        /** The JDK's {@code java.net.http.WebSocket}: no dependency beyond the JDK, no compression. */
        JDK
    }

    /** System property that picks the transport when the config does not ({@code netty}, {@code jetty} or {@code jdk}). */
    public static final String TRANSPORT_PROPERTY = "habla.client.transport";
    /**
     * The JDK until the Jetty transport's open question is settled (habla-client/README.md, "Transports": a handover
     * test times out more often on Jetty; send throughput not clearly better).
     */
    public static final Transport DEFAULT_TRANSPORT = Transport.JDK;

    /** Default service root of the Gemini Developer API. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://generativelanguage.googleapis.com");
    /** The documented Live API version (python-genai's default too). */
    public static final String DEFAULT_API_VERSION = "v1beta";
    /** Ephemeral tokens are documented for v1alpha only. */
    public static final String DEFAULT_EPHEMERAL_API_VERSION = "v1alpha";
    /** Vertex AI's Live endpoint version used by the SDKs. */
    public static final String DEFAULT_VERTEX_API_VERSION = "v1beta1";
    /** Long enough for a slow TLS handshake plus setup on a cold model. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Python {@code websockets}' default; keeps NATs and proxies from dropping a quiet session. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    /** okhttp's close-then-cancel delay is similar; a healthy peer answers in milliseconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** About two minutes of base64 16 kHz audio: large enough for hiccups, small enough to bound latency and memory. */
    public static final long DEFAULT_SEND_QUEUE_BUDGET_BYTES = 8L << 20;

    private static final Pattern VERSION = Pattern.compile("v\\d+((alpha|beta)\\d*)?");

    /** Vertex AI: project, location and a supplier of OAuth2 access tokens (called on every connect). */
    public record Vertex(String project, String location, Supplier<String> accessToken) {
        public Vertex {
            if (project == null || project.isBlank()) {
                throw new IllegalArgumentException("vertex project must not be empty");
            }
            if (location == null || location.isBlank()) {
                throw new IllegalArgumentException("vertex location must not be empty");
            }
            Objects.requireNonNull(accessToken, "vertex accessToken supplier");
        }

        @Override
        public String toString() {
            return "Vertex[project=" + project + ", location=" + location + "]";
        }
    }

    public ClientConfig {
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        if (ephemeralToken != null && ephemeralToken.isBlank()) {
            ephemeralToken = null;
        }
        if (apiKey != null && apiKey.startsWith("auth_tokens/")) {
            if (ephemeralToken != null) {
                throw new IllegalArgumentException("apiKey looks like an ephemeral token and ephemeralToken is set too; set one");
            }
            ephemeralToken = apiKey;
            apiKey = null;
        }
        int credentials = (apiKey != null ? 1 : 0) + (ephemeralToken != null ? 1 : 0) + (vertex != null ? 1 : 0);
        if (credentials == 0) {
            throw new IllegalArgumentException("no credentials: set apiKey(..), ephemeralToken(..) or vertex(..)");
        }
        if (credentials > 1) {
            throw new IllegalArgumentException("set exactly one of apiKey, ephemeralToken, vertex");
        }
        if (baseUrl != null) {
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("ws") && !scheme.equals("wss")) {
                throw new IllegalArgumentException("baseUrl must be http, https, ws or wss, was '" + baseUrl + "'");
            }
            if (baseUrl.getHost() == null) {
                throw new IllegalArgumentException("baseUrl has no host: '" + baseUrl + "'");
            }
        }
        if (apiVersion == null) {
            apiVersion = vertex != null ? DEFAULT_VERTEX_API_VERSION
                    : ephemeralToken != null ? DEFAULT_EPHEMERAL_API_VERSION : DEFAULT_API_VERSION;
        } else if (!VERSION.matcher(apiVersion).matches()) {
            throw new IllegalArgumentException("apiVersion must look like v1, v1beta or v1alpha, was '" + apiVersion + "'");
        }
        connectTimeout = positive("connectTimeout", connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout);
        closeTimeout = positive("closeTimeout", closeTimeout == null ? DEFAULT_CLOSE_TIMEOUT : closeTimeout);
        pingInterval = pingInterval == null ? DEFAULT_PING_INTERVAL : pingInterval;
        if (pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must be >= 0 (0 disables pings), was " + pingInterval);
        }
        if (sendQueueBudgetBytes <= 0) {
            throw new IllegalArgumentException("sendQueueBudgetBytes must be > 0, was " + sendQueueBudgetBytes);
        }
        if (transport == null) {
            String p = System.getProperty(TRANSPORT_PROPERTY);
            transport = p == null || p.isBlank() ? DEFAULT_TRANSPORT : parseTransport(p);
        }
        provider = provider == null ? Provider.GEMINI : provider;
        recordAudio = recordAudio == null ? dev.habla.protocol.Cassette.Audio.KEEP : recordAudio;
        if (vertex != null && !provider.equals(Provider.GEMINI)) {
            throw new IllegalArgumentException("vertex(..) is a Gemini setting; provider is " + provider.name());
        }
        if (permessageDeflate && transport == Transport.JDK) {
            throw new IllegalArgumentException("permessageDeflate needs the NETTY or JETTY transport (java.net.http cannot compress)");
        }
    }

    private static Transport parseTransport(String name) {
        try {
            return Transport.valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + TRANSPORT_PROPERTY + " must be netty, jetty or jdk, was '"
                    + name + "'");
        }
    }

    private static Duration positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + d);
        }
        return d;
    }

    /** Builds a validated config. */
    public static ClientConfig create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return b.build();
    }

    /** Secrets redacted. */
    @Override
    public String toString() {
        return "ClientConfig[apiKey=" + (apiKey == null ? "null" : "<redacted>")
                + ", ephemeralToken=" + (ephemeralToken == null ? "null" : "auth_tokens/<redacted>")
                + ", baseUrl=" + baseUrl + ", apiVersion=" + apiVersion + ", vertex=" + vertex
                + ", connectTimeout=" + connectTimeout + ", pingInterval=" + pingInterval + ", closeTimeout=" + closeTimeout
                + ", sendQueueBudgetBytes=" + sendQueueBudgetBytes + ", wireLog=" + (wireLog == null ? "off" : "on")
                + ", transport=" + transport + ", permessageDeflate=" + permessageDeflate + ", provider=" + provider + ", record=" + record + "]";
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private String apiKey;
        private String ephemeralToken;
        private URI baseUrl;
        private String apiVersion;
        private Vertex vertex;
        private Duration connectTimeout;
        private Duration pingInterval;
        private Duration closeTimeout;
        private long sendQueueBudgetBytes = DEFAULT_SEND_QUEUE_BUDGET_BYTES;
        private Consumer<String> wireLog;
        private Transport transport;
        private boolean permessageDeflate;
        private Provider provider;
        private java.nio.file.Path record;
        private dev.habla.protocol.Cassette.Audio recordAudio;

        Builder() {}

        public Builder apiKey(String apiKey) { this.apiKey = apiKey; return this; }
        public Builder ephemeralToken(String token) { this.ephemeralToken = token; return this; }
        public Builder baseUrl(URI baseUrl) { this.baseUrl = baseUrl; return this; }
        public Builder baseUrl(String baseUrl) { this.baseUrl = URI.create(baseUrl); return this; }
        public Builder apiVersion(String apiVersion) { this.apiVersion = apiVersion; return this; }
        public Builder vertex(String project, String location, Supplier<String> accessToken) {
            this.vertex = new Vertex(project, location, accessToken);
            return this;
        }
        public Builder connectTimeout(Duration d) { this.connectTimeout = d; return this; }
        public Builder pingInterval(Duration d) { this.pingInterval = d; return this; }
        public Builder closeTimeout(Duration d) { this.closeTimeout = d; return this; }
        public Builder sendQueueBudgetBytes(long bytes) { this.sendQueueBudgetBytes = bytes; return this; }
        public Builder wireLog(Consumer<String> sink) { this.wireLog = sink; return this; }
        public Builder transport(Transport transport) { this.transport = transport; return this; }
        public Builder permessageDeflate(boolean on) { this.permessageDeflate = on; return this; }
        /** The service's wire and rules; default {@link Provider#GEMINI}. */
        public Builder provider(Provider provider) { this.provider = provider; return this; }
        /** Records every connection of the client to this cassette file (credentials redacted, audio kept). */
        public Builder record(java.nio.file.Path cassette) { return record(cassette, dev.habla.protocol.Cassette.Audio.KEEP); }
        /** Records to this cassette, audio kept or replaced by a same-length silent placeholder. */
        public Builder record(java.nio.file.Path cassette, dev.habla.protocol.Cassette.Audio audio) {
            this.record = cassette;
            this.recordAudio = audio;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(apiKey, ephemeralToken, baseUrl, apiVersion, vertex, connectTimeout, pingInterval,
                    closeTimeout, sendQueueBudgetBytes, wireLog, transport, permessageDeflate, provider, record, recordAudio);
        }
    }
}
