package dev.habla.bench;

import com.google.genai.SdkWirePath;
import com.google.genai.types.LiveClientMessage;
import com.google.genai.types.LiveServerMessage;
import dev.habla.protocol.ClientFrame;
import dev.habla.protocol.ClientMessage.RealtimeInput;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.Strictness;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Habla's {@link LiveCodec} against the official Java SDK (google-genai 2.0.0) on the messages that dominate a voice
 * session: one 100 ms microphone chunk going up, one 100 ms model audio chunk coming down.
 *
 * <p>Method names are {@code <operation>_<side>}; {@code bench/codec.sh} pairs them up to print Habla/SDK ratios.
 * Input types are each side's natural ones: client frames are text (String) for both; the server frame is bytes for
 * Habla (the service sends binary frames) and a String for the SDK (what its OkHttp listener hands over after
 * {@code ByteString.utf8()}, whose cost is <em>not</em> charged to the SDK here).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class CodecBenchmark {
    private Fixtures f;

    @Setup(Level.Trial)
    public void setup() {
        f = new Fixtures();
        f.verify();
    }

    // ---- client audio chunk, encode: build the message and serialise it to the text frame ----

    @Benchmark
    public String clientEncode_habla() {
        return LiveCodec.encode(RealtimeInput.ofAudio(f.pcm16k, 16_000));
    }

    /** {@code AsyncSession.sendRealtimeInput}: builder, toJsonNode, LiveConverters (mldev), toJsonString. */
    @Benchmark
    public String clientEncode_sdk() {
        return SdkWirePath.encodeRealtimeInput(Fixtures.sdkAudioParams(f.pcm16k));
    }

    // ---- client audio chunk, decode (what a server or proxy does) ----

    @Benchmark
    public ClientFrame clientDecode_habla() {
        return LiveCodec.decodeClient(f.clientJson, Strictness.STRICT);
    }

    @Benchmark
    public LiveClientMessage clientDecode_sdk() {
        return LiveClientMessage.fromJson(f.clientJson);
    }

    // ---- server audio chunk, decode (what a client does ~10 times a second while the model speaks) ----

    @Benchmark
    public ServerFrame serverDecode_habla() {
        return LiveCodec.decodeServer(f.serverBytes, Strictness.LENIENT);
    }

    /** {@code LiveServerMessage.fromJson(String)}: the SDK's direct data-binding route. */
    @Benchmark
    public LiveServerMessage serverDecode_sdk() {
        return LiveServerMessage.fromJson(f.serverJson);
    }

    /** The route the SDK's WebSocket listener takes for every message after setupComplete (tree, then binding). */
    @Benchmark
    public LiveServerMessage serverDecode_sdkSession() {
        return SdkWirePath.decodeServerInSession(f.serverJson);
    }

    // ---- server audio chunk, encode (what an emulator or gateway does) ----

    @Benchmark
    public byte[] serverEncode_habla() {
        return LiveCodec.encode(f.hablaServerFrame);
    }

    @Benchmark
    public String serverEncode_sdk() {
        return f.sdkServerMessage.toJson();
    }
}
