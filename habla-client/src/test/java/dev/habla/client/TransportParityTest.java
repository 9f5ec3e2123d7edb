package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Races where the transports could differ, run on each of them whatever the default is (the rest of the suite runs on
 * the one chosen by {@code -Dhabla.client.transport}, else the default).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportParityTest extends EmulatorTest {

    /**
     * The emulator closes 1008 right after the upgrade, while the writer sends the setup. The Jetty client used to
     * fail that send (ClosedChannelException) before the close frame was handed over: UNAVAILABLE instead of
     * UNAUTHENTICATED in about a quarter of the attempts (40 of 150). 25 attempts show a regression with
     * a probability above 99.9%.
     */
    @ParameterizedTest
    @EnumSource(ClientConfig.Transport.class)
    void aCloseRightAfterTheHandshakeIsReportedAsTheServersCloseNotAsASendFailure(ClientConfig.Transport transport) {
        LiveClient wrong = newClient(b -> b.apiKey("wrong-key").transport(transport));
        for (int i = 0; i < 25; i++) {
            try (LiveSession s = wrong.connect(text(), new RecordingListener())) {
                throw new AssertionError("connected with a wrong key");
            } catch (LiveException e) {
                assertThat(e.kind()).as("attempt %d: %s", i, e).isEqualTo(LiveException.Kind.UNAUTHENTICATED);
                assertThat(e.closeCode()).isEqualTo(1008);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ClientConfig.Transport.class)
    void aConversationWorksOnEachTransport(ClientConfig.Transport transport) throws Exception {
        LiveClient c = newClient(b -> b.transport(transport));
        assertThat(c.config().transport()).isEqualTo(transport);
        RecordingListener rec = new RecordingListener();
        try (LiveSession s = c.connect(text(), rec)) {
            s.sendAudio(new byte[3200], 16_000);
            s.sendText("over " + transport);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            assertThat(rec.text()).isEqualTo("You said: over " + transport);
        }
        rec.awaitClosed(WAIT);
    }
}
