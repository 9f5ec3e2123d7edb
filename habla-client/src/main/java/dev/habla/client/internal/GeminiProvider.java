package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.ModelFamily;
import dev.habla.client.SessionConfig;
import dev.habla.client.Voices;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.CloseCodes;
import dev.habla.protocol.Content;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Strictness;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocketHandshakeException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Gemini Live wire ({@code BidiGenerateContent}) on the Gemini Developer API and on Vertex AI. Stateless (but for
 * the bounded set of names already warned about); its {@link ProviderConnection} ({@link GeminiConnection}) only binds
 * the configs. Capabilities come from
 * {@link ModelFamily} (Gemini's capability table); continuity from {@link GeminiContinuity}.
 *
 * <p>Endpoints (live-protocol.md §1): {@code /ws/google.ai.generativelanguage.{v}.GenerativeService.BidiGenerateContent}
 * with {@code x-goog-api-key}; {@code …BidiGenerateContentConstrained} with {@code Authorization: Token auth_tokens/…};
 * Vertex {@code /ws/google.cloud.aiplatform.{v}.LlmBidiService/BidiGenerateContent} with {@code Authorization: Bearer}.
 */
public final class GeminiProvider implements LiveProvider {
    /** Before {@link #INSTANCE}: its constructor uses it. */
    private static final Logger log = LoggerFactory.getLogger(GeminiProvider.class);
    public static final GeminiProvider INSTANCE = new GeminiProvider();

    /** Input PCM rate of every Gemini Live model (live-protocol.md §3.3). */
    static final int INPUT_RATE = 16_000;
    /** Gemini Live model ids: {@code gemini-…live…} or {@code gemini-…native-audio…}. */
    private static final Pattern KNOWN_MODEL = Pattern.compile("gemini-.*(live|native-audio).*");

    /** Sent so server logs can tell this client apart. */
    static final String API_CLIENT = "habla-java/0.1.0";
    /** Output audio rate when the MIME type carries none (the service always uses 24 kHz). */
    static final int DEFAULT_OUTPUT_RATE = 24_000;

    private final WarnOnce unknown = new WarnOnce(log);

    private GeminiProvider() {}

    @Override
    public String name() {
        return "gemini";
    }

    // ---- capabilities ----------------------------------------------------------------------------------------

    @Override
    public Capabilities capabilities(ClientConfig client, SessionConfig session) {
        ModelFamily f = session.modelFamily();
        return new Capabilities(name(), session.model(), isKnownModel(session.model()), f.supportsTextOutput(),
                f.defaultResponseModality(), f.typedTextAsRealtimeInput(), f.acceptsClientContentMidSession(),
                f.initialHistoryNeedsHistoryConfig(),
                client.vertex() == null, // the Gemini API refuses a function response without its call's id; Vertex does not
                INPUT_RATE, DEFAULT_OUTPUT_RATE,
                f == ModelFamily.HALF_CASCADE ? Voices.HALF_CASCADE : Voices.ALL);
    }

    static boolean isKnownModel(String model) {
        String id = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        return KNOWN_MODEL.matcher(id).matches();
    }

    /**
     * Unknown models and voices are sent as given: the service adds them faster than this library is released.
     * OpenAI-only options are refused (they would be silently lost).
     */
    @Override
    public void check(ClientConfig client, SessionConfig session) {
        if (!session.openai().equals(SessionConfig.OpenAiOptions.NONE)) {
            throw new IllegalArgumentException("Gemini Live cannot honour OpenAI-only options (" + session.openai() + ")");
        }
        if (!isKnownModel(session.model())) {
            unknown.warn("model:" + session.model(), "model '{}' is not a Gemini Live model this client knows; "
                    + "sending it as given (rules of {} assumed)", session.model(), session.modelFamily());
        }
        if (session.voice() != null && !Voices.isKnown(session.voice())) {
            unknown.warn("voice:" + session.voice(), "voice '{}' is not one of the {} documented Gemini voices; "
                    + "sending it as given", session.voice(), Voices.ALL.size());
        }
    }

    /** For tests: whether a warning about this model ({@code model:…}) or voice ({@code voice:…}) was logged. */
    boolean warnedAbout(String key) {
        return unknown.warned(key);
    }

    @Override
    public ProviderConnection open(ClientConfig client, SessionConfig session) {
        return new GeminiConnection(this, client, session);
    }

    @Override
    public ContinuityStrategy continuity() {
        return GeminiContinuity.INSTANCE;
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    /** URL, headers (credentials) and a redacted description for logs. May call credential suppliers. */
    public Transport.ConnectRequest connectRequest(ClientConfig client, SessionConfig session) throws LiveException {
        URI base = client.baseUrl() != null ? client.baseUrl() : defaultBase(client);
        String scheme = switch (base.getScheme().toLowerCase(Locale.ROOT)) {
            case "http", "ws" -> "ws";
            default -> "wss";
        };
        String prefix = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        String method;
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-goog-api-client", API_CLIENT);
        String authShown;
        if (client.vertex() != null) {
            method = "google.cloud.aiplatform." + client.apiVersion() + ".LlmBidiService/BidiGenerateContent";
            String token;
            try {
                token = client.vertex().accessToken().get();
            } catch (RuntimeException e) {
                throw new LiveException(Kind.UNAUTHENTICATED, "Vertex access token supplier failed: " + e.getClass().getSimpleName(), e);
            }
            if (token == null || token.isBlank()) {
                throw new LiveException(Kind.UNAUTHENTICATED, "Vertex access token supplier returned no token");
            }
            headers.put("Authorization", "Bearer " + token.strip());
            authShown = "Authorization: Bearer <redacted>";
        } else if (client.ephemeralToken() != null) {
            method = "google.ai.generativelanguage." + client.apiVersion() + ".GenerativeService.BidiGenerateContentConstrained";
            headers.put("Authorization", "Token " + client.ephemeralToken());
            authShown = "Authorization: Token <redacted>";
        } else {
            method = "google.ai.generativelanguage." + client.apiVersion() + ".GenerativeService.BidiGenerateContent";
            headers.put("x-goog-api-key", client.apiKey());
            authShown = "x-goog-api-key: <redacted>";
        }
        String authority = base.getRawAuthority();
        URI uri = URI.create(scheme + "://" + authority + prefix + "/ws/" + method);
        return new Transport.ConnectRequest(uri, headers, uri + " [" + authShown + "]");
    }

    private static URI defaultBase(ClientConfig client) {
        if (client.vertex() == null) {
            return ClientConfig.DEFAULT_BASE_URL;
        }
        String location = client.vertex().location();
        return URI.create(location.equals("global") ? "https://aiplatform.googleapis.com"
                : "https://" + location + "-aiplatform.googleapis.com");
    }

    /** {@code models/M} on the Gemini API; {@code projects/P/locations/L/publishers/google/models/M} on Vertex. */
    public static String modelResourceName(ClientConfig client, String model) {
        if (client.vertex() == null) {
            return model.startsWith("models/") || model.startsWith("tunedModels/") ? model : "models/" + model;
        }
        if (model.startsWith("projects/")) {
            return model;
        }
        String scope = "projects/" + client.vertex().project() + "/locations/" + client.vertex().location() + "/";
        if (model.startsWith("publishers/")) {
            return scope + model;
        }
        String id = model.startsWith("models/") ? model.substring("models/".length()) : model;
        return scope + "publishers/google/models/" + id;
    }

    /** The setup frame. */
    public List<String> openingFrames(ClientConfig client, SessionConfig session) {
        return List.of(LiveCodec.encode(session.toSetup(modelResourceName(client, session.model()))));
    }

    /** One frame per command; Gemini's encoding needs no connection state ({@link GeminiConnection} calls it). */
    List<String> encode(ClientMessage message) {
        try {
            return List.of(LiveCodec.encode(message));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot encode " + message.wireKey() + ": " + e.getMessage(), e);
        }
    }

    // ---- decoding --------------------------------------------------------------------------------------------

    /** Events of one inbound frame, in delivery order. */
    public List<LiveEvent> decode(Transport.InboundFrame frame) {
        if (frame.bytes() != null) {
            // The fast path (the service's binary frames): a frame that is one audio part and nothing else gives the
            // same single AudioChunk the full decode would, without building the frame, and keeps the frame's bytes
            // for a relay. Anything else (signals, transcriptions, usage, several parts, odd JSON) decodes in full.
            Blob audio = LiveCodec.recogniseAudioOutput(frame.bytes(), 0, frame.length());
            if (audio != null) {
                byte[] wire = frame.length() == frame.bytes().length ? frame.bytes()
                        : java.util.Arrays.copyOf(frame.bytes(), frame.length());
                return List.of(new LiveEvent.AudioChunk(audio.data(), sampleRate(audio.mimeType().toLowerCase(Locale.ROOT)), wire));
            }
        }
        ServerFrame f = frame.text() != null
                ? LiveCodec.decodeServer(frame.text(), Strictness.LENIENT)
                : LiveCodec.decodeServer(frame.bytes(), 0, frame.length(), Strictness.LENIENT);
        return events(f);
    }

    /** Events of one decoded frame, in delivery order. */
    public static List<LiveEvent> events(ServerFrame f) {
        List<LiveEvent> out = new ArrayList<>(4);
        boolean usageUsed = false;
        switch (f.message()) {
            case null -> { }
            case ServerMessage.SetupComplete s -> out.add(new LiveEvent.SetupCompleted(s.sessionId()));
            case ServerContent c -> usageUsed = serverContent(c, f, out);
            case ServerMessage.ToolCall t -> out.add(new LiveEvent.ToolCallRequested(
                    t.functionCalls() == null ? List.of() : t.functionCalls()));
            case ServerMessage.ToolCallCancellation t -> out.add(new LiveEvent.ToolCallCancelled(
                    t.ids() == null ? List.of() : t.ids()));
            case ServerMessage.GoAway g -> out.add(new LiveEvent.GoingAway(g.timeLeft() == null ? Duration.ZERO : g.timeLeft()));
            case ServerMessage.SessionResumptionUpdate u -> out.add(new LiveEvent.ResumptionUpdate(
                    u.resumable() ? u.newHandle() : null, u.resumable()));
            case ServerMessage.VoiceActivity v -> out.add(new LiveEvent.VoiceActivity(v.type(), v.audioOffset()));
            case ServerMessage.VoiceActivityDetectionSignal s -> out.add(new LiveEvent.VoiceActivity(
                    switch (s.vadSignalType()) {
                        case VAD_SIGNAL_TYPE_SOS -> ServerMessage.VoiceActivityType.ACTIVITY_START;
                        case VAD_SIGNAL_TYPE_EOS -> ServerMessage.VoiceActivityType.ACTIVITY_END;
                        case null, default -> ServerMessage.VoiceActivityType.TYPE_UNSPECIFIED;
                    }, null));
        }
        if (!usageUsed && f.usageMetadata() != null) {
            out.add(new LiveEvent.Usage(f.usageMetadata()));
        }
        if (!f.unknownFields().isEmpty()) {
            out.add(new LiveEvent.Unrecognized(f.unknownFields()));
        }
        return out;
    }

    /**
     * Order inside one serverContent: model parts, transcriptions, grounding, then the signals (interrupted,
     * waitingForInput, generationComplete) and turnComplete last, as the service orders them across frames.
     *
     * @return whether the frame's usage was attached to a {@link LiveEvent.TurnComplete}
     */
    private static boolean serverContent(ServerContent c, ServerFrame f, List<LiveEvent> out) {
        Content turn = c.modelTurn();
        if (turn != null && turn.parts() != null) {
            for (Part p : turn.parts()) {
                part(p, out);
            }
        }
        if (c.inputTranscription() != null) {
            out.add(new LiveEvent.InputTranscription(nz(c.inputTranscription().text()), c.inputTranscription().finished()));
        }
        if (c.outputTranscription() != null) {
            out.add(new LiveEvent.OutputTranscription(nz(c.outputTranscription().text()), c.outputTranscription().finished()));
        }
        if (c.groundingMetadata() != null) {
            out.add(new LiveEvent.Grounding(c.groundingMetadata()));
        }
        if (c.interrupted()) {
            out.add(new LiveEvent.Interrupted());
        }
        if (c.waitingForInput()) {
            out.add(new LiveEvent.WaitingForInput());
        }
        if (c.generationComplete()) {
            out.add(new LiveEvent.GenerationComplete());
        }
        if (c.turnComplete()) {
            out.add(new LiveEvent.TurnComplete(f.usageMetadata(), c.turnCompleteReason()));
            return true;
        }
        return false;
    }

    private static void part(Part p, List<LiveEvent> out) {
        if (p.text() != null) {
            out.add(new LiveEvent.TextDelta(p.text(), p.thought()));
        } else if (p.inlineData() != null) {
            Blob b = p.inlineData();
            String mime = b.mimeType() == null ? "" : b.mimeType().toLowerCase(Locale.ROOT);
            if (mime.startsWith("audio/pcm") || mime.startsWith("audio/l16")) {
                out.add(new LiveEvent.AudioChunk(b.data() == null ? new byte[0] : b.data(), sampleRate(mime)));
            }
            // Other inline media (images) has no event yet; it is rare in Live output.
        } else if (p.executableCode() != null) {
            out.add(new LiveEvent.ExecutableCode(p.executableCode().language(), nz(p.executableCode().code())));
        } else if (p.codeExecutionResult() != null) {
            out.add(new LiveEvent.CodeExecutionResult(p.codeExecutionResult().outcome(), nz(p.codeExecutionResult().output())));
        }
    }

    /** The rate of model audio of type {@code mime} (24 kHz when it names none). */
    static int sampleRate(String mime) {
        return SampleRates.OUTPUT.of(mime);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    /**
     * Close codes as the service uses them (live-protocol.md §5.10): the code gives the family, the reason text the
     * precise kind (an API-key problem arrives as 1007 or 1008, quota and deadline as 1011).
     */
    public LiveException mapClose(int code, String reason) {
        String r = reason == null ? "" : reason;
        String lower = r.toLowerCase(Locale.ROOT);
        Kind kind;
        if (mentionsCredentials(lower) && (code == CloseCodes.INVALID_ARGUMENT || code == CloseCodes.POLICY)) {
            kind = Kind.UNAUTHENTICATED;
        } else {
            kind = switch (code) {
                case CloseCodes.INVALID_ARGUMENT -> Kind.INVALID_ARGUMENT;
                case CloseCodes.POLICY -> lower.contains("not found") ? Kind.NOT_FOUND
                        : lower.contains("permission") || lower.contains("denied") ? Kind.UNAUTHENTICATED
                        : Kind.INVALID_ARGUMENT;
                case CloseCodes.INTERNAL -> lower.contains("deadline") ? Kind.DEADLINE_EXCEEDED
                        : mentionsQuota(lower) ? Kind.RESOURCE_EXHAUSTED
                        : Kind.INTERNAL;
                case 1002, 1003, 1009 -> Kind.PROTOCOL;
                case 1014 -> Kind.UNAVAILABLE;
                default -> Kind.UNAVAILABLE; // 1000/1001 from the server, 1006, 1012, 1013: the connection went away
            };
        }
        String msg = "server closed the session: " + code + (r.isEmpty() ? "" : " " + r);
        return new LiveException(kind, msg, code, r, -1, null);
    }

    private static boolean mentionsCredentials(String lower) {
        return lower.contains("api key") || lower.contains("api_key") || lower.contains("apikey")
                || lower.contains("unauthenticated") || lower.contains("credential") || lower.contains("auth token")
                || lower.contains("access token");
    }

    private static boolean mentionsQuota(String lower) {
        return lower.contains("quota") || lower.contains("exceeded your") || lower.contains("rate limit")
                || lower.contains("resource exhausted") || lower.contains("resource_exhausted") || lower.contains("billing")
                || lower.contains("credits") || lower.contains("prepay") || lower.contains("too many requests");
    }

    /** The typed error for a failed handshake or connection attempt. */
    public LiveException mapConnectFailure(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof LiveException le) {
            return le;
        }
        int handshakeStatus = t instanceof WebSocketHandshakeException h ? (h.getResponse() == null ? -1 : h.getResponse().statusCode())
                : t instanceof Transport.HandshakeStatusException h ? h.status() : 0;
        if (handshakeStatus != 0) {
            int status = handshakeStatus;
            Kind kind = switch (status) {
                case 400 -> Kind.INVALID_ARGUMENT;
                case 401, 403 -> Kind.UNAUTHENTICATED;
                case 404 -> Kind.NOT_FOUND;
                case 408 -> Kind.TIMEOUT;
                case 429 -> Kind.RESOURCE_EXHAUSTED;
                case 500 -> Kind.INTERNAL;
                default -> Kind.UNAVAILABLE;
            };
            return new LiveException(kind, "WebSocket handshake failed: expected HTTP 101 but was " + status, -1, "", status, t);
        }
        if (t instanceof HttpConnectTimeoutException || t instanceof HttpTimeoutException) {
            return new LiveException(Kind.TIMEOUT, "connect timed out: " + t.getMessage(), t);
        }
        // The Jetty transport's timeouts: TCP connect (SocketTimeoutException) and the whole upgrade (TimeoutException).
        Throwable timeout = cause(t, java.net.SocketTimeoutException.class, java.util.concurrent.TimeoutException.class);
        if (timeout != null) {
            return new LiveException(Kind.TIMEOUT, "connect timed out: " + describe(timeout), t);
        }
        Throwable refused = cause(t, ConnectException.class);
        if (refused != null) {
            return new LiveException(Kind.UNAVAILABLE, "connection refused or unreachable: " + describe(refused), t);
        }
        Throwable dns = cause(t, UnknownHostException.class, UnresolvedAddressException.class);
        if (dns != null) {
            return new LiveException(Kind.UNAVAILABLE, "host not found: " + describe(dns), t);
        }
        Throwable tls = cause(t, SSLException.class);
        if (tls != null) {
            return new LiveException(Kind.UNAVAILABLE, "TLS handshake failed: " + describe(tls), t);
        }
        return new LiveException(Kind.UNAVAILABLE, "connect failed: " + describe(t), t);
    }

    /** The first throwable in the cause chain of {@code t} that is one of {@code types}, or null. */
    @SafeVarargs
    private static Throwable cause(Throwable t, Class<? extends Throwable>... types) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(c)) {
                    return c;
                }
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + Redactor.redact(t.getMessage()));
    }

    @Override
    public String redact(String text) {
        return Redactor.redact(text);
    }
}
