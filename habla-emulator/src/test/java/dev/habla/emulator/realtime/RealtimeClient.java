package dev.habla.emulator.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.LiveEmulator;
import dev.habla.realtime.ClientEvent;
import dev.habla.realtime.RealtimeCodec;
import dev.habla.realtime.ServerEvent;
import dev.habla.testing.RawWs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** A raw OpenAI Realtime client for the emulator's tests: sends events, reads decoded server events in order. */
final class RealtimeClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    final RawWs ws;

    private RealtimeClient(RawWs ws) {
        this.ws = ws;
    }

    static RealtimeClient open(LiveEmulator emu, String query, Map<String, String> headers) throws Exception {
        return new RealtimeClient(RawWs.open(emu.realtimeUrl() + query, headers));
    }

    /** Connected with a bearer key and {@code gpt-realtime}; {@code session.created} already read. */
    static RealtimeClient connect(LiveEmulator emu) throws Exception {
        return connect(emu, "sk-test");
    }

    static RealtimeClient connect(LiveEmulator emu, String key) throws Exception {
        RealtimeClient c = open(emu, "?model=gpt-realtime", Map.of("Authorization", "Bearer " + key));
        assertThat(c.next()).isInstanceOf(ServerEvent.SessionCreated.class);
        return c;
    }

    void send(ClientEvent e) {
        ws.send(RealtimeCodec.encode(e));
    }

    void sendRaw(String json) {
        ws.send(json);
    }

    ServerEvent next() throws InterruptedException {
        RawWs.Event e = ws.poll(WAIT);
        if (!(e instanceof RawWs.Frame f)) {
            throw new AssertionError("expected a frame, got " + e);
        }
        assertThat(f.binary()).as("OpenAI Realtime frames are text").isFalse();
        ServerEvent ev = RealtimeCodec.decodeServer(f.json());
        assertThat(ev.eventId()).as("every server event has an event_id: %s", f.json()).isNotBlank();
        return ev;
    }

    /** Events until (and including) the first matching one. */
    List<ServerEvent> until(Predicate<ServerEvent> p) throws InterruptedException {
        List<ServerEvent> out = new ArrayList<>();
        while (true) {
            ServerEvent e = next();
            out.add(e);
            if (p.test(e)) {
                return out;
            }
        }
    }

    /** Events until {@code n} more audio deltas have been read. */
    List<ServerEvent> untilAudioDeltas(int n) throws InterruptedException {
        int[] seen = {0};
        return until(e -> e instanceof ServerEvent.ResponseOutputAudioDelta && ++seen[0] == n);
    }

    <T extends ServerEvent> List<ServerEvent> until(Class<T> type) throws InterruptedException {
        return until(type::isInstance);
    }

    /** A whole response cycle: until {@code rate_limits.updated}, which follows {@code response.done}. */
    List<ServerEvent> response() throws InterruptedException {
        return until(ServerEvent.RateLimitsUpdated.class);
    }

    static <T> List<T> of(List<ServerEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static String text(List<ServerEvent> events) {
        StringBuilder b = new StringBuilder();
        of(events, ServerEvent.ResponseOutputTextDelta.class).forEach(d -> b.append(d.delta()));
        return b.toString();
    }

    static String transcript(List<ServerEvent> events) {
        StringBuilder b = new StringBuilder();
        of(events, ServerEvent.ResponseOutputAudioTranscriptDelta.class).forEach(d -> b.append(d.delta()));
        return b.toString();
    }

    static int audioBytes(List<ServerEvent> events) {
        return of(events, ServerEvent.ResponseOutputAudioDelta.class).stream().mapToInt(d -> d.delta().length).sum();
    }

    /** 24 kHz PCM16: {@code ms} of a loud 220 Hz tone. */
    static byte[] tone(int ms) {
        int n = 24 * ms;
        byte[] b = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            short s = (short) (Math.sin(2 * Math.PI * 220 * i / 24000.0) * 10000);
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    static byte[] silence(int ms) {
        return new byte[24 * ms * 2];
    }

    /** Sends {@code pcm} in 100 ms appends. */
    void append(byte[] pcm) {
        for (int off = 0; off < pcm.length; off += 4800) {
            send(new ClientEvent.InputAudioBufferAppend(java.util.Arrays.copyOfRange(pcm, off, Math.min(pcm.length, off + 4800))));
        }
    }

    @Override
    public void close() {
        ws.close();
    }
}
