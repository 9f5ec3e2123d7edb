package dev.habla.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.genai.AsyncSession;
import com.google.genai.Client;
import com.google.genai.types.ClientOptions;
import com.google.genai.types.Blob;
import com.google.genai.types.AudioTranscriptionConfig;
import com.google.genai.types.Content;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.FunctionResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.LiveConnectConfig;
import com.google.genai.types.LiveSendClientContentParameters;
import com.google.genai.types.LiveSendRealtimeInputParameters;
import com.google.genai.types.LiveSendToolResponseParameters;
import com.google.genai.types.LiveServerContent;
import com.google.genai.types.LiveServerMessage;
import com.google.genai.types.Modality;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.ThinkingConfig;
import com.google.genai.types.ThinkingLevel;
import com.google.genai.types.VoiceActivity;
import com.google.genai.types.VoiceActivityType;
import com.google.genai.types.Tool;
import com.google.genai.types.Type;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.emulator.ReceivedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official Java SDK {@code com.google.genai:google-genai} 2.0.0 against the emulator: a text turn (plus realtime
 * text, which this SDK sends as snake_case {@code realtime_input}) and a tool call round trip. sdk-oracles.md §2: the
 * SDK forces {@code wss}, so an OkHttp interceptor rewrites https back to http for 127.0.0.1 (workaround A); every send
 * is joined (sends run on a pool and may reorder otherwise), {@code receive()} is registered right after connect, and
 * every wait is a bounded {@code get(timeout)}.
 */
@Timeout(60)
class SdkJavaConformanceTest {
    static final long T = 10; // seconds per SDK future
    @RegisterExtension
    static EmulatorExtension live = EmulatorExtension.create(x -> x.perClass().emulator(b -> b.apiKey("conformance-key"))
            .client(SdkJavaConformanceTest::sdkClient));
    static LiveEmulator emu;
    static Client client;

    @BeforeAll
    static void bind() {
        emu = live.emulator();
        client = live.client(Client.class);
    }

    /** The official SDK's client for {@code emu}, over plain loopback. */
    static Client sdkClient(LiveEmulator emu) {
        OkHttpClient plainLoopback = new OkHttpClient.Builder().addInterceptor(chain -> {
            HttpUrl u = chain.request().url();
            if (u.isHttps() && u.host().equals("127.0.0.1")) {
                return chain.proceed(chain.request().newBuilder().url(u.newBuilder().scheme("http").build()).build());
            }
            return chain.proceed(chain.request());
        }).build();
        return Client.builder().apiKey("conformance-key")
                .httpOptions(HttpOptions.builder().baseUrl(emu.baseUrl()).build())
                .clientOptions(ClientOptions.builder().customHttpClient(plainLoopback).build())
                .build();
    }

    @AfterAll
    static void report() {
        System.out.println("SDK client frames that passed both oracles so far: " + SdkFrames.CHECKED.get());
    }

    @BeforeEach
    void forgetEarlierFrames() throws InterruptedException {
        SdkFrames.drain(emu, Duration.ZERO);
    }

    /** A connected session whose messages land in {@code inbox}. */
    record Live(AsyncSession session, BlockingQueue<LiveServerMessage> inbox) {
        /** Messages until (and including) the first matching one. */
        List<LiveServerMessage> until(Predicate<LiveServerMessage> p) throws InterruptedException {
            List<LiveServerMessage> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
            while (true) {
                LiveServerMessage m = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertThat(m).as("no matching message within %d s; got %s", T, out).isNotNull();
                out.add(m);
                if (p.test(m)) {
                    return out;
                }
            }
        }
    }

    static Live connect(LiveConnectConfig config) throws Exception {
        return connect("gemini-2.0-flash-live-001", config);
    }

    static Live connect(String model, LiveConnectConfig config) throws Exception {
        AsyncSession session = client.async.live.connect(model, config).get(T, TimeUnit.SECONDS);
        BlockingQueue<LiveServerMessage> inbox = new LinkedBlockingQueue<>();
        session.receive(inbox::add).get(T, TimeUnit.SECONDS);
        return new Live(session, inbox);
    }

    static boolean turnComplete(LiveServerMessage m) {
        return m.serverContent().flatMap(LiveServerContent::turnComplete).orElse(false);
    }

    /** LiveServerMessage has no text() in 2.0.0: walk serverContent.modelTurn.parts. */
    static String text(List<LiveServerMessage> messages) {
        StringBuilder b = new StringBuilder();
        for (LiveServerMessage m : messages) {
            m.serverContent().flatMap(LiveServerContent::modelTurn).flatMap(Content::parts)
                    .ifPresent(parts -> parts.forEach(p -> p.text().ifPresent(b::append)));
        }
        return b.toString();
    }

    static LiveSendClientContentParameters userTurn(String text) {
        return LiveSendClientContentParameters.builder()
                .turns(Content.builder().role("user").parts(Part.fromText(text)).build()).turnComplete(true).build();
    }

    @Test
    void textTurnAndRealtimeText() throws Exception {
        Live live = connect(LiveConnectConfig.builder().responseModalities(Modality.Known.TEXT).build());
        live.session().sendClientContent(userTurn("Hello from the Java SDK")).get(T, TimeUnit.SECONDS);
        List<LiveServerMessage> turn = live.until(SdkJavaConformanceTest::turnComplete);
        assertThat(text(turn)).isEqualTo("You said: Hello from the Java SDK");
        assertThat(turn).anyMatch(m -> m.serverContent().flatMap(LiveServerContent::generationComplete).orElse(false));
        assertThat(turn.getLast().usageMetadata()).isPresent();

        live.session().sendRealtimeInput(LiveSendRealtimeInputParameters.builder().text("realtime hello").build()).get(T, TimeUnit.SECONDS);
        assertThat(text(live.until(SdkJavaConformanceTest::turnComplete))).isEqualTo("You said: realtime hello");
        live.session().close().get(T, TimeUnit.SECONDS);

        List<ReceivedMessage> frames = SdkFrames.drain(emu, Duration.ofSeconds(2));
        SdkFrames.check(frames);
        // gotcha 1 of sdk-oracles.md: this SDK writes the top-level key in snake_case; proto and Habla both take it
        assertThat(frames).anyMatch(f -> f.rawJson().startsWith("{\"realtime_input\""));
        assertThat(emu.session(frames.getFirst().sessionId()).orElseThrow().apiVersion()).isEqualTo("v1");
    }

    /**
     * Gemini 3.1 as the Java SDK sees it: thinkingLevel accepted, realtime text answered in audio with its transcript,
     * voiceActivity parsed into {@code VoiceActivity} (offsets; the type is lost, see below), and clientContent
     * mid-session ends the session (the emulator closes 1007). 2.0.0's
     * LiveConnectConfig has no historyConfig, so the initial-history phase cannot be asked for through connect().
     */
    @Test
    void gemini31RealtimeTextVoiceActivityAndClientContentRefused() throws Exception {
        Live live = connect("gemini-3.1-flash-live-preview", LiveConnectConfig.builder().responseModalities(Modality.Known.AUDIO)
                .outputAudioTranscription(AudioTranscriptionConfig.builder().build())
                .thinkingConfig(ThinkingConfig.builder().thinkingLevel(ThinkingLevel.Known.MINIMAL).build()).build());
        live.session().sendRealtimeInput(LiveSendRealtimeInputParameters.builder().text("hi from java").build()).get(T, TimeUnit.SECONDS);
        List<LiveServerMessage> turn = live.until(SdkJavaConformanceTest::turnComplete);
        StringBuilder transcript = new StringBuilder();
        turn.forEach(m -> m.serverContent().flatMap(LiveServerContent::outputTranscription)
                .flatMap(com.google.genai.types.Transcription::text).ifPresent(transcript::append));
        assertThat(transcript.toString()).isEqualTo("You said: hi from java");

        byte[] pcm = concat(Pcm.speech(1500, 16000), Pcm.silence(1000, 16000));
        for (int off = 0; off < pcm.length; off += 3200) {
            byte[] chunk = java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 3200));
            live.session().sendRealtimeInput(LiveSendRealtimeInputParameters.builder()
                    .audio(Blob.builder().data(chunk).mimeType("audio/pcm;rate=16000").build()).build()).get(T, TimeUnit.SECONDS);
        }
        List<LiveServerMessage> spoken = live.until(SdkJavaConformanceTest::turnComplete);
        List<VoiceActivity> activity = spoken.stream().flatMap(m -> m.voiceActivity().stream()).toList();
        assertThat(activity).hasSize(2);
        assertThat(activity.get(0).audioOffset()).contains(Duration.ZERO);
        assertThat(activity.get(1).audioOffset()).contains(Duration.ofMillis(1500));
        // 2.0.0 gap: in Gemini API mode it parses server messages with LiveServerMessage.fromJson as they come (its
        // LiveConverters.voiceActivityFromMldev, which renames the wire field `type`, is never called), so the type is
        // lost. The wire field is `type` (python-genai renames it too): the emulator matches the SDKs' converters.
        assertThat(activity).allSatisfy(a -> assertThat(a.voiceActivityType()).isEmpty());
        assertThat(VoiceActivity.fromJson("{\"voiceActivityType\":\"ACTIVITY_START\"}").voiceActivityType())
                .contains(new VoiceActivityType(VoiceActivityType.Known.ACTIVITY_START));

        String id = emu.sessions().getLast().id();
        live.session().sendClientContent(userTurn("typed via clientContent")).get(T, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(T);
        while (emu.session(id).orElseThrow().open() && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // the SDK has no close callback to wait on
        }
        assertThat(emu.session(id).orElseThrow().open()).as("closed by the emulator (1007)").isFalse();
        live.session().close().get(T, TimeUnit.SECONDS);

        List<ReceivedMessage> frames = SdkFrames.drain(emu, Duration.ofSeconds(2));
        SdkFrames.check(frames);
        assertThat(frames.getFirst().rawJson()).contains("\"thinkingLevel\":\"MINIMAL\"");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void toolCallRoundTrip() throws Exception {
        Tool tool = Tool.builder().functionDeclarations(FunctionDeclaration.builder().name("get_time").description("Current time")
                .parameters(Schema.builder().type(Type.Known.OBJECT).properties(Map.of("tz", Schema.builder().type(Type.Known.STRING).build())))
                .build()).build();
        Live live = connect(LiveConnectConfig.builder().responseModalities(Modality.Known.TEXT).tools(tool).build());
        live.session().sendClientContent(userTurn("call get_time {\"tz\":\"UTC\"}")).get(T, TimeUnit.SECONDS);
        List<LiveServerMessage> before = live.until(m -> m.toolCall().isPresent());
        FunctionCall call = before.getLast().toolCall().orElseThrow().functionCalls().orElseThrow().getFirst();
        assertThat(call.name()).contains("get_time");
        assertThat(call.args().orElseThrow()).containsEntry("tz", "UTC");

        live.session().sendToolResponse(LiveSendToolResponseParameters.builder().functionResponses(FunctionResponse.builder()
                .id(call.id().orElseThrow()).name(call.name().orElseThrow()).response(Map.of("time", "12:00")).build()).build())
                .get(T, TimeUnit.SECONDS);
        assertThat(text(live.until(SdkJavaConformanceTest::turnComplete))).isEqualTo("Tool get_time returned {\"time\":\"12:00\"}");
        live.session().close().get(T, TimeUnit.SECONDS);

        List<ReceivedMessage> frames = SdkFrames.drain(emu, Duration.ofSeconds(2));
        SdkFrames.check(frames);
        assertThat(frames).anyMatch(f -> f.rawJson().startsWith("{\"toolResponse\"") && f.rawJson().contains(call.id().orElseThrow()));
    }
}
