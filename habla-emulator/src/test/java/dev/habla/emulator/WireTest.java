package dev.habla.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.protocol.ClientMessage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Framing details: raw request lines, ping/pong, frame size. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireTest {
    @RegisterExtension
    final EmulatorExtension emulator = new EmulatorExtension();

    /** The exact request line the JS SDK sends, byte for byte (no client-side normalisation). */
    @Test
    void doubleSlashRequestLineIsUpgraded(LiveEmulator emu) throws Exception {
        for (String path : new String[] {"//ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent?key=FAKE_KEY",
                "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens%2Fx"}) {
            try (Socket s = new Socket("127.0.0.1", emu.port())) {
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[12];
                int n = in.readNBytes(buf, 0, 12);
                assertThat(new String(buf, 0, n, StandardCharsets.US_ASCII)).as(path).isEqualTo("HTTP/1.1 101");
            }
        }
    }

    @Test
    void pingsAreAnswered(LiveEmulator emu) throws Exception {
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.ping();
            assertThat(c.nextEvent(RawClient.WAIT)).isInstanceOf(RawClient.Pong.class);
        }
    }

    @Test
    void framesOver16MiBAreAccepted(LiveEmulator emu) throws Exception {
        byte[] pcm = new byte[17 << 20];
        pcm[pcm.length - 1] = 9;
        try (RawClient c = RawClient.setUp(emu, Fixtures.text())) {
            c.send(ClientMessage.RealtimeInput.ofAudio(pcm, 16000));
            c.send(ClientMessage.ClientContent.userText("after the big one"));
            assertThat(Fixtures.text(c.untilTurnComplete())).isEqualTo("You said: after the big one");
            byte[] got = emu.sessions().getFirst().receivedAudio();
            assertThat(got.length).isEqualTo(pcm.length);
            assertThat(got[got.length - 1]).isEqualTo((byte) 9);
        }
    }
}
