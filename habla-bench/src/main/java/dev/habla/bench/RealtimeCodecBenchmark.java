package dev.habla.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.ClientEvent.InputAudioBufferAppend;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.ServerEvent;
import dev.habla.realtime.ServerEvent.ResponseOutputAudioDelta;
import java.util.Arrays;
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
 * Habla's OpenAI Realtime codec ({@link RealtimeCodec}, habla-realtime-protocol) against plain Jackson data binding
 * (the same Jackson 2.23.0: a record per event, {@code byte[]} audio, Jackson's own base64) on the two events of a
 * voice session's hot path: {@code input_audio_buffer.append} (100 ms of 24 kHz PCM16 = 4,800 bytes, up) and
 * {@code response.output_audio.delta} (the same size, down), each encoded and decoded. Inputs and outputs are the
 * JSON text of a WebSocket text frame on both sides. Method names are {@code <operation>_<side>}: {@link Report}
 * prints the Habla/Jackson ratios ({@code BENCH_CLASS=RealtimeCodecBenchmark bench/codec.sh}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RealtimeCodecBenchmark {
    /** The plain Jackson shape of {@code input_audio_buffer.append}. */
    public record AppendDto(String type, byte[] audio) {}

    /** The plain Jackson shape of {@code response.output_audio.delta}. */
    public record DeltaDto(String type, String event_id, String response_id, String item_id, int output_index,
            int content_index, byte[] delta) {}

    static final ObjectMapper JACKSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    byte[] pcm;
    InputAudioBufferAppend append;
    AppendDto appendDto;
    ResponseOutputAudioDelta delta;
    DeltaDto deltaDto;
    String appendJson;
    String deltaJson;

    @Setup(Level.Trial)
    public void setup() {
        pcm = new Fixtures().pcm24k;
        append = new InputAudioBufferAppend(pcm);
        appendDto = new AppendDto("input_audio_buffer.append", pcm);
        delta = new ResponseOutputAudioDelta("event_BxG3i2mNwpT8kq0aR5cZy", "resp_BxG3hWjbDkY2qZ0xLmN1a",
                "item_BxG3hXk4rPq7sV2tU9wYe", 0, 0, pcm);
        deltaDto = new DeltaDto("response.output_audio.delta", delta.eventId(), delta.responseId(), delta.itemId(), 0, 0, pcm);
        appendJson = RealtimeCodec.encode(append);
        deltaJson = RealtimeCodec.encode(delta);
        verify();
    }

    /** Both sides produce and consume the same frames: each side's encoding decodes on the other to the same data. */
    void verify() {
        try {
            check(JACKSON.readValue(RealtimeCodec.encode(append), AppendDto.class).audio(), "append, Habla -> Jackson");
            check(((InputAudioBufferAppend) RealtimeCodec.decodeClient(JACKSON.writeValueAsString(appendDto))).audio(), "append, Jackson -> Habla");
            check(JACKSON.readValue(RealtimeCodec.encode(delta), DeltaDto.class).delta(), "delta, Habla -> Jackson");
            ServerEvent back = RealtimeCodec.decodeServer(JACKSON.writeValueAsString(deltaDto));
            if (!back.equals(delta)) {
                throw new IllegalStateException("delta, Jackson -> Habla: " + back);
            }
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void check(byte[] got, String what) {
        if (!Arrays.equals(got, pcm)) {
            throw new IllegalStateException(what + ": audio differs");
        }
    }

    // ---- client: one microphone chunk ----

    @Benchmark
    public String appendEncode_habla() {
        return RealtimeCodec.encode(new InputAudioBufferAppend(pcm));
    }

    @Benchmark
    public String appendEncode_jackson() throws JsonProcessingException {
        return JACKSON.writeValueAsString(new AppendDto("input_audio_buffer.append", pcm));
    }

    @Benchmark
    public ServerEvent deltaDecode_habla() {
        return RealtimeCodec.decodeServer(deltaJson);
    }

    @Benchmark
    public DeltaDto deltaDecode_jackson() throws JsonProcessingException {
        return JACKSON.readValue(deltaJson, DeltaDto.class);
    }

    // ---- server (emulator, gateway): the other direction ----

    @Benchmark
    public ClientEvent appendDecode_habla() {
        return RealtimeCodec.decodeClient(appendJson);
    }

    @Benchmark
    public AppendDto appendDecode_jackson() throws JsonProcessingException {
        return JACKSON.readValue(appendJson, AppendDto.class);
    }

    @Benchmark
    public String deltaEncode_habla() {
        return RealtimeCodec.encode(delta);
    }

    @Benchmark
    public String deltaEncode_jackson() throws JsonProcessingException {
        return JACKSON.writeValueAsString(deltaDto);
    }
}
