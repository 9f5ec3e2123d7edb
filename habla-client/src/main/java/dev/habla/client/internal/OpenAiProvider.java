package dev.habla.client.internal;

import dev.habla.client.Capabilities;
import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.LiveException.Kind;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.Tool;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenAI Realtime (the GA WebSocket protocol at {@code /v1/realtime}, openai-realtime.md) behind the provider seam.
 * Stateless but for the names already warned about; each connection's state (response and item ids, audio played,
 * outstanding tool calls) is an {@link OpenAiConnection}; the {@code session.update} it opens with is built by
 * {@link OpenAiSessionUpdate}; continuity is {@link OpenAiContinuity} (no resumption: re-seed from the transcript).
 *
 * <p>Connect: {@code wss://api.openai.com/v1/realtime?model=M} with {@code Authorization: Bearer <key>} (an API key or
 * an ephemeral {@code ek_…} client secret, given as {@link ClientConfig#apiKey()} or
 * {@link ClientConfig#ephemeralToken()}). A {@link ClientConfig#baseUrl()} without a path (the bundled emulator's
 * {@code http://127.0.0.1:PORT}) gets {@code /v1}; one with a path (a proxy's {@code …/v1}) is used as given.
 */
public final class OpenAiProvider implements LiveProvider {
    private static final Logger log = LoggerFactory.getLogger(OpenAiProvider.class);
    public static final OpenAiProvider INSTANCE = new OpenAiProvider();

    /** The service root when {@link ClientConfig#baseUrl()} is unset. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");
    /** The model the CLI and examples use when none is given. */
    public static final String DEFAULT_MODEL = "gpt-realtime";
    /** PCM16 at 24 kHz is the only PCM rate the service takes and gives (openai-realtime.md §5.4). */
    static final int RATE = 24_000;
    /** The voices the SDK types list (openai-realtime.md §5.2). */
    public static final List<String> VOICES = dev.habla.client.Voices.OPENAI;
    /** Realtime model ids: {@code gpt-realtime…}, {@code gpt-audio…} and the older {@code gpt-4o…realtime…} previews. */
    private static final Pattern KNOWN_MODEL = Pattern.compile("gpt-realtime.*|gpt-audio.*|gpt-4o.*realtime.*");
    /** {@code max_output_tokens} range of the service. */
    static final int MAX_OUTPUT_TOKENS = 4096;

    private final WarnOnce unknown = new WarnOnce(log);

    private OpenAiProvider() {}

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public Capabilities capabilities(ClientConfig client, SessionConfig session) {
        // Typed text is a conversation item plus response.create (a turn boundary), items may be added at any time,
        // history is items created after session.updated, every function output names its call_id.
        return new Capabilities(name(), session.model(), isKnownModel(session.model()), true, ResponseModality.AUDIO,
                false, true, false, true, RATE, RATE, VOICES);
    }

    static boolean isKnownModel(String model) {
        return KNOWN_MODEL.matcher(model.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * Refuses what OpenAI Realtime cannot honour, before anything is sent: Gemini-only options, a temperature (the GA
     * session has none), TEXT and AUDIO at once is impossible anyway, more than 4096 output tokens, tools other than
     * functions, a language without input transcription (the language is the transcriber's), Gemini's turn coverage.
     * Unknown models and voices are sent as given with a warning.
     */
    @Override
    public void check(ClientConfig client, SessionConfig session) {
        List<String> refused = new ArrayList<>();
        if (!session.gemini().equals(SessionConfig.GeminiOptions.NONE)) {
            refused.add("Gemini-only options (" + geminiOptionsSet(session.gemini()) + ")");
        }
        if (session.temperature() != null) {
            refused.add("temperature (the GA Realtime session has no sampling temperature)");
        }
        if (session.maxOutputTokens() != null && session.maxOutputTokens() > MAX_OUTPUT_TOKENS) {
            refused.add("maxOutputTokens above " + MAX_OUTPUT_TOKENS + " (was " + session.maxOutputTokens() + ")");
        }
        if (session.languageCode() != null && !session.inputTranscription()) {
            refused.add("languageCode without inputTranscription (OpenAI takes a language only for transcribing the user)");
        }
        for (Tool t : session.tools()) {
            if (t.functionDeclarations() == null || t.functionDeclarations().isEmpty()
                    || t.codeExecution() != null || t.googleSearch() != null || t.googleSearchRetrieval() != null
                    || t.urlContext() != null || t.computerUse() != null || t.fileSearch() != null || t.googleMaps() != null) {
                refused.add("tools other than functions (code execution, search, maps … are Gemini's)");
                break;
            }
        }
        var ric = session.realtimeInputConfig();
        if (ric != null && ric.turnCoverage() != null
                && ric.turnCoverage() != dev.habla.protocol.RealtimeInputConfig.TurnCoverage.TURN_COVERAGE_UNSPECIFIED) {
            refused.add("turnCoverage (Gemini's)");
        }
        if (session.openai().semanticVad() != null && ric != null && ric.automaticActivityDetection() != null
                && Boolean.TRUE.equals(ric.automaticActivityDetection().disabled())) {
            refused.add("semanticVad together with manual turns (automatic activity detection disabled)");
        }
        if (!refused.isEmpty()) {
            throw new IllegalArgumentException("OpenAI Realtime cannot honour: " + String.join("; ", refused));
        }
        if (!isKnownModel(session.model())) {
            unknown.warn("model:" + session.model(), "model '{}' is not an OpenAI Realtime model this client knows; "
                    + "sending it as given", session.model());
        }
        if (session.voice() != null && VOICES.stream().noneMatch(v -> v.equalsIgnoreCase(session.voice()))) {
            unknown.warn("voice:" + session.voice(), "voice '{}' is not one of the {} documented OpenAI voices; "
                    + "sending it as given", session.voice(), VOICES.size());
        }
    }

    private static String geminiOptionsSet(SessionConfig.GeminiOptions g) {
        List<String> names = new ArrayList<>();
        if (g.topP() != null) names.add("topP");
        if (g.topK() != null) names.add("topK");
        if (g.seed() != null) names.add("seed");
        if (g.resumption()) names.add("resumption");
        if (g.resumptionHandle() != null) names.add("resumptionHandle");
        if (g.contextWindowCompression() != null) names.add("contextWindowCompression");
        if (g.mediaResolution() != null) names.add("mediaResolution");
        if (g.thinkingBudget() != null) names.add("thinkingBudget");
        if (g.thinkingLevel() != null) names.add("thinkingLevel");
        if (g.includeThoughts() != null) names.add("includeThoughts");
        if (g.affectiveDialog()) names.add("affectiveDialog");
        if (g.proactiveAudio()) names.add("proactiveAudio");
        if (g.setupOverride() != null) names.add("setupOverride");
        return String.join(", ", names);
    }

    /** For tests: whether a warning about this model ({@code model:…}) or voice ({@code voice:…}) was logged. */
    boolean warnedAbout(String key) {
        return unknown.warned(key);
    }

    @Override
    public ProviderConnection open(ClientConfig client, SessionConfig session) {
        return new OpenAiConnection(this, client, session);
    }

    @Override
    public ContinuityStrategy continuity() {
        return OpenAiContinuity.INSTANCE;
    }

    // ---- connecting ------------------------------------------------------------------------------------------

    /** {@code …/v1/realtime?model=M}, {@code Authorization: Bearer}. */
    Transport.ConnectRequest connectRequest(ClientConfig client, SessionConfig session) throws LiveException {
        String key = client.ephemeralToken() != null ? client.ephemeralToken() : client.apiKey();
        if (key == null) {
            throw new LiveException(Kind.UNAUTHENTICATED, "OpenAI Realtime needs an API key or a client secret (ek_…)");
        }
        URI base = client.baseUrl() != null ? client.baseUrl() : DEFAULT_BASE_URL;
        String scheme = switch (base.getScheme().toLowerCase(Locale.ROOT)) {
            case "http", "ws" -> "ws";
            default -> "wss";
        };
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        if (path.isEmpty()) {
            path = "/v1";
        }
        URI uri = URI.create(scheme + "://" + base.getRawAuthority() + path + "/realtime?model="
                + URLEncoder.encode(session.model(), StandardCharsets.UTF_8));
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + key);
        return new Transport.ConnectRequest(uri, headers, uri + " [Authorization: Bearer <redacted>]");
    }

    // ---- errors ----------------------------------------------------------------------------------------------

    /**
     * The typed error of an in-band {@code error} event (openai-realtime.md §7.6, §2.4): credentials →
     * {@code UNAUTHENTICATED}, unknown model → {@code NOT_FOUND}, rate limits → {@code RESOURCE_EXHAUSTED},
     * {@code server_error} → {@code INTERNAL}, the rest (bad events and values) → {@code INVALID_ARGUMENT}.
     */
    static Kind kindOf(String type, String code, String message) {
        String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (c.contains("api_key") || c.contains("auth") || m.contains("api key") || m.contains("authentication")) {
            return Kind.UNAUTHENTICATED;
        }
        if (c.contains("model") || c.equals("not_found")) {
            return c.equals("missing_model") ? Kind.INVALID_ARGUMENT : Kind.NOT_FOUND;
        }
        if (c.contains("rate_limit") || c.contains("quota") || m.contains("rate limit") || m.contains("quota")) {
            return Kind.RESOURCE_EXHAUSTED;
        }
        if ("server_error".equals(type)) {
            return Kind.INTERNAL;
        }
        return Kind.INVALID_ARGUMENT;
    }

    /**
     * Close codes as the service uses them (openai-realtime.md §2.4, §9): 3000 = credentials, 4000 = request shape
     * (reason {@code <type>.<code>}), 1001 at the 60-minute cap (reconnect), others: the connection went away.
     */
    LiveException mapClose(int code, String reason, String lastErrorMessage) {
        String r = reason == null ? "" : reason;
        String lower = r.toLowerCase(Locale.ROOT);
        Kind kind = switch (code) {
            case 3000 -> Kind.UNAUTHENTICATED;
            case 4000 -> {
                int dot = lower.indexOf('.');
                String type = dot < 0 ? lower : lower.substring(0, dot);
                String errCode = dot < 0 ? "" : lower.substring(dot + 1);
                yield kindOf(type, errCode, "");
            }
            case 1002, 1003, 1007, 1009 -> Kind.PROTOCOL;
            case 1011 -> Kind.INTERNAL;
            default -> Kind.UNAVAILABLE; // 1000/1001 (the 60-minute cap) from the server, 1006, 1012, 1013
        };
        String msg = "server closed the session: " + code + (r.isEmpty() ? "" : " " + r)
                + (lastErrorMessage == null ? "" : " (" + lastErrorMessage + ")");
        return new LiveException(kind, msg, code, r, -1, null);
    }

    /** Connection failures mean the same on every provider (HTTP status of a refused upgrade, DNS, TLS, timeouts). */
    LiveException mapConnectFailure(Throwable error) {
        return GeminiProvider.INSTANCE.mapConnectFailure(error);
    }

    /** Credential headers, {@code sk-…}/{@code ek_…} keys out; base64 audio abbreviated. */
    @Override
    public String redact(String text) {
        String s = Redactor.redact(text);
        return s == null ? null : s.replaceAll("\\b(sk-|ek_)[A-Za-z0-9_\\-]{6,}", "$1<redacted>");
    }
}
