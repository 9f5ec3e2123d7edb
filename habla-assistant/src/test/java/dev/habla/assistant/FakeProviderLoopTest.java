package dev.habla.assistant;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.FakeProvider;
import dev.habla.client.FakeProviderServer;
import dev.habla.client.LiveClient;
import dev.habla.client.Provider;
import dev.habla.client.SessionConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The voice loop on a resilient session over a second provider ({@link FakeProvider}: its own wire, 24 kHz
 * microphone input, re-seed continuity), with no change to the loop or the resilient session: the microphone goes up
 * at the provider's rate with its duration kept, and the answer ends the turn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FakeProviderLoopTest {

    @Test
    void theLoopSpeaksToTheFakeProviderAt24kHzOnAResilientSession() throws Exception {
        short[] spoken = Speech.concat(Speech.hello(), Speech.silence(800));
        try (FakeProviderServer server = new FakeProviderServer();
                LiveClient client = LiveClient.create(c -> c.apiKey("fake-key").baseUrl(server.baseUrl())
                        .provider(Provider.custom(new FakeProvider())))) {
            Recorder events = new Recorder();
            PushSource mic = new PushSource();
            try (VoiceLoop loop = VoiceLoop.start(client, c -> c.session(SessionConfig.create(s -> s.model("fake-1")))
                    .microphone(mic).speaker(new DeviceModelSink()).vadMode(VadMode.ASSIST).observer(events))) {
                assertThat(loop.resilientSession()).as("the loop's default: a resilient session").isNotNull();
                assertThat(loop.session().capabilities().inputSampleRate()).isEqualTo(24_000);
                mic.push(spoken);
                mic.end();
                AssistantEvent.TurnEnded ended = events.await(AssistantEvent.TurnEnded.class, VoiceLoopTest.WAIT);
                assertThat(ended.entry().generated()).matches("I got \\d+ audio frames\\.");
            }
            // Read as 16-bit mono at 24 kHz, what the server got lasts about as long as the speech, at most the whole
            // input (the uplink pauses after some silence). Sent at 16 kHz, it would be at most two thirds of it.
            Duration sent = Duration.ofNanos(server.audioBytes() / 2 * 1_000_000_000L / 24_000);
            Duration all = Duration.ofMillis(spoken.length / 16);
            assertThat(sent).as("audio received, read at 24 kHz").isBetween(all.multipliedBy(2).dividedBy(3).plusMillis(300),
                    all.plusMillis(20));
            assertThat(server.received()).first().asString().startsWith("{\"op\":\"hello\",\"model\":\"fake-1\"");
            assertThat(server.received()).filteredOn(f -> f.startsWith("{\"op\":\"commit\"")).hasSize(1);
        }
    }
}
