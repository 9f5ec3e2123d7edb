package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import dev.habla.server.LiveAuthenticator;
import dev.habla.server.LiveConnection;
import dev.habla.server.LiveServer;
import dev.habla.server.SetupFirstHandler;
import dev.habla.testing.RawWs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's audio fast path end to end: plain audio input reaches the upstream as the very text the client sent,
 * and a model turn of one audio part reaches the client as the very frame the upstream sent (byte-exact both ways, the
 * JSON spacing included, which a re-encoding would not keep); near-misses keep their close codes; and audio streamed
 * through upstream handovers arrives complete.
 */
@Timeout(120)
class AudioFastPathTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final String SETUP = "{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}";

    /** An upstream that answers each audio input with a model turn carrying the same PCM, spaced unlike canonical JSON. */
    static final class EchoUpstream extends SetupFirstHandler {
        static final List<String> sent = new CopyOnWriteArrayList<>();

        EchoUpstream(LiveConnection c) {
            super(c);
        }

        @Override
        protected void onSetup(ClientMessage.Setup setup) {
            connection.send(new ServerMessage.SetupComplete(null));
        }

        @Override
        protected void onInput(ClientMessage m) {
            Blob audio = m instanceof ClientMessage.RealtimeInput r
                    ? (r.audio() != null ? r.audio() : r.mediaChunks() != null ? r.mediaChunks().getFirst() : null) : null;
            if (audio != null) {
                String frame = "{ \"serverContent\": { \"modelTurn\": { \"parts\": [ { \"inlineData\": { \"mimeType\": "
                        + "\"audio/pcm;rate=24000\", \"data\": \"" + Base64.getEncoder().encodeToString(audio.data())
                        + "\" } } ], \"role\": \"model\" } } }";
                sent.add(frame);
                connection.sendRaw(frame, true);
            }
        }
    }

    private static String adminUrl(Gateway gw) {
        return gw.baseUrl().replace("http://", "ws://")
                + "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent?key=" + Fixture.ADMIN_KEY;
    }

    private static byte[] pcm(int seq) {
        ByteBuffer b = ByteBuffer.allocate(3200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(seq);
        for (int i = 4; i < 3200; i++) {
            b.put((byte) (seq * 31 + i));
        }
        return b.array();
    }

    @Test
    void audioTravelsByteExactBothWays() throws Exception {
        List<String> seenUpstream = new CopyOnWriteArrayList<>();
        EchoUpstream.sent.clear();
        try (LiveServer upstream = LiveServer.create(b -> b.port(0).authenticator(LiveAuthenticator.anyCredential())
                .handlers(EchoUpstream::new)
                .inboundObserver((c, m, raw, binary) -> {
                    if (m instanceof ClientMessage.RealtimeInput) {
                        seenUpstream.add(raw);
                    }
                }));
             Gateway gw = Gateway.create(b -> b.upstream(c -> c.apiKey(Fixture.PROVIDER_KEY).baseUrl(upstream.baseUrl()))
                     .app(GatewayApp.of("shop", Fixture.ADMIN_KEY)));
             RawWs ws = RawWs.open(adminUrl(gw), Map.of())) {
            ws.send(SETUP);
            ws.framesUntil(j -> j.contains("setupComplete"), T);
            List<String> said = new ArrayList<>();
            int n = 20;
            for (int i = 0; i < n; i++) {
                String data = Base64.getEncoder().encodeToString(pcm(i));
                // Three spellings a browser may send: compact, spaced with the keys swapped, the deprecated mediaChunks.
                String json = switch (i % 3) {
                    case 0 -> "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"" + data + "\"}}}";
                    case 1 -> "{ \"realtimeInput\" : { \"audio\" : { \"data\" : \"" + data + "\" , \"mimeType\" : \"audio/pcm;rate=16000\" } } }";
                    default -> "{\"realtimeInput\":{\"mediaChunks\":[{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\"" + data + "\"}]}}";
                };
                said.add(json);
                if (i % 2 == 0) {
                    ws.send(json);
                } else {
                    ws.sendBinary(json);
                }
            }
            List<RawWs.Frame> got = new ArrayList<>();
            while (got.size() < n) {
                RawWs.Event e = ws.poll(T);
                assertThat(e).as("frame %d of %d", got.size() + 1, n).isInstanceOf(RawWs.Frame.class);
                got.add((RawWs.Frame) e);
            }
            assertThat(seenUpstream).as("the client's own text, upstream").containsExactlyElementsOf(said);
            assertThat(got).extracting(RawWs.Frame::json).as("the upstream's own frames, at the client")
                    .containsExactlyElementsOf(EchoUpstream.sent);
            assertThat(got).allMatch(RawWs.Frame::binary);
            for (int i = 0; i < n; i++) {
                var sc = (ServerMessage.ServerContent) LiveCodec.decodeServer(got.get(i).json(), Strictness.STRICT).message();
                assertThat(sc.modelTurn().parts().getFirst().inlineData()).isEqualTo(new Blob("audio/pcm;rate=24000", pcm(i)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            audio before setup     | true  | {"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"AAEC"}}}
            unknown field in blob  | false | {"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"AAEC","x":1}}}
            base64 not base64      | false | {"realtimeInput":{"audio":{"mimeType":"audio/pcm;rate=16000","data":"!!!!"}}}
            misspelt member        | false | {"realtimeInput":{"audoi":{"mimeType":"audio/pcm","data":"AAEC"}}}
            trailing garbage       | false | {"realtimeInput":{"audio":{"mimeType":"audio/pcm","data":"AAEC"}}}}
            """)
    void nearMissesKeepTheirCloseCodes(String name, boolean first, String frame) throws Exception {
        try (Fixture f = new Fixture(); RawWs ws = RawWs.open(adminUrl(f.gateway), Map.of())) {
            if (!first) {
                ws.send(SETUP);
                ws.framesUntil(j -> j.contains("setupComplete"), T);
            }
            ws.trySend(frame);
            assertThat(ws.awaitClose(T).code()).as(name).isEqualTo(1007);
        }
    }

    /**
     * Audio streamed while the upstream's connections last 3 s (goAway 2 s ahead, so a handover about every second):
     * the emulator gets every chunk, in order, each as the client's own text, on several connections.
     */
    @Test
    void aHandoverInTheMiddleOfTheStreamLosesNothing() throws Exception {
        try (Fixture f = new Fixture(e -> e.connectionLifetime(Duration.ofSeconds(3)).goAwayLead(Duration.ofSeconds(2)), g -> { });
             RawWs ws = RawWs.open(adminUrl(f.gateway), Map.of())) {
            ws.send(SETUP);
            ws.framesUntil(j -> j.contains("setupComplete"), T);
            List<String> said = new ArrayList<>();
            java.util.Set<String> connections = new java.util.HashSet<>();
            List<String> received = new ArrayList<>();
            int seq = 0;
            // Keep streaming until the emulator has seen the stream on three upstream connections (two handovers).
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (connections.size() < 3 && System.nanoTime() < deadline) {
                String json = "{\"realtimeInput\":{\"audio\":{\"mimeType\":\"audio/pcm;rate=16000\",\"data\":\""
                        + Base64.getEncoder().encodeToString(quiet(seq++)) + "\"}}}";
                said.add(json);
                ws.send(json);
                ReceivedMessage m;
                // Drain what has arrived; pace the stream at about 20 chunks a second (wall time is the point here).
                long until = System.nanoTime() + 50_000_000L;
                while ((m = f.emulator.takeClientMessage(Duration.ofNanos(Math.max(1, until - System.nanoTime())))) != null) {
                    if (m.message() instanceof ClientMessage.RealtimeInput) {
                        connections.add(m.sessionId());
                        received.add(m.rawJson());
                    }
                }
            }
            assertThat(connections).as("upstream connections that carried the stream").hasSizeGreaterThanOrEqualTo(3);
            ReceivedMessage m;
            while (received.size() < said.size() && (m = f.emulator.takeClientMessage(T)) != null) {
                if (m.message() instanceof ClientMessage.RealtimeInput) {
                    received.add(m.rawJson());
                }
            }
            // Nothing lost; a chunk the old connection wrote but whose fate is unknown may come again after a handover.
            assertThat(received.stream().distinct().toList()).as("every chunk, in order, as sent").containsExactlyElementsOf(said);
        }
    }

    /** Near-silent PCM (well under the voice threshold, so no turn starts) carrying a sequence number. */
    private static byte[] quiet(int seq) {
        ByteBuffer b = ByteBuffer.allocate(3200).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) (seq & 0x7f));
        b.putShort((short) ((seq >> 7) & 0x7f));
        return b.array();
    }
}
