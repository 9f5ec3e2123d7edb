package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.emulator.Fault;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.RealtimeInputConfig;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handover with manual turn-taking (automatic activity detection off, as the voice loop's MANUAL and push-to-talk
 * modes run): an open activity is never a boundary, even when its audio has a long pause, and after the reply the
 * switch happens at once although the last audio sent was loud (nothing is sent between activities, so the quiet
 * tail the server-VAD rule waits for never comes).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManualActivityHandoverTest extends ResilienceTestBase {

    static final int RATE = 16_000;

    static byte[] tone(int ms, double amplitude) {
        int n = RATE * ms / 1000;
        byte[] pcm = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            short s = (short) Math.round(amplitude * 32767 * Math.sin(2 * Math.PI * 220 * i / RATE));
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        return pcm;
    }

    @Test
    void anOpenActivityIsNotABoundaryAndTheSwitchFollowsTheReply() throws Exception {
        realTime(b -> { });
        SessionConfig config = SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.AUDIO).outputTranscription(true)
                .realtimeInputConfig(new RealtimeInputConfig(
                        new RealtimeInputConfig.AutomaticActivityDetection(true, null, null, null, null), null, null)));
        RecordingListener rec = new RecordingListener();
        // The goAway deadline (30 s - 2 s) is beyond every wait here: a switch seen here happened at a boundary.
        try (ResilientSession s = client.connectResilient(config, rec, policy(p -> { }))) {
            assertThat(s.activityStart()).isEqualTo(SendResult.QUEUED);
            s.sendAudio(tone(300, 0.3), RATE);
            s.sendAudio(new byte[2 * RATE], RATE);          // one second of silence inside the activity
            HandoverSoakTest.awaitDrained(s);
            emulator.inject(new Fault.GoAway(Duration.ofSeconds(30)));
            rec.await(LiveEvent.HandoverStarted.class, WAIT);
            s.sendAudio(tone(300, 0.3), RATE);              // the user goes on: still the same activity
            HandoverSoakTest.awaitDrained(s);               // activityEnd (control) would overtake queued audio
            assertThat(s.activityEnd()).isEqualTo(SendResult.QUEUED);
            rec.await(LiveEvent.TurnComplete.class, WAIT);
            LiveEvent.HandoverCompleted done = rec.await(LiveEvent.HandoverCompleted.class, Duration.ofSeconds(15));
            assertThat(done.connection()).isEqualTo(2);
            assertThat(s.handovers()).isEqualTo(1);

            // The whole activity reached the first connection, and the server measured all of it.
            assertThat(transcription(rec)).contains("I heard 1.60 seconds of audio.");
            List<ReceivedMessage> wire = new ArrayList<>();
            ReceivedMessage m;
            while ((m = emulator.takeClientMessage(Duration.ofMillis(200))) != null) {
                wire.add(m);
            }
            Set<String> activityConnections = new LinkedHashSet<>();
            for (ReceivedMessage r : wire) {
                if (r.message() instanceof ClientMessage.RealtimeInput) {
                    activityConnections.add(r.sessionId());
                }
            }
            assertThat(activityConnections).hasSize(1);
            List<LiveEvent> events = rec.events();
            int turnComplete = indexOf(events, LiveEvent.TurnComplete.class);
            int completed = indexOf(events, LiveEvent.HandoverCompleted.class);
            assertThat(completed).as("switch after the reply").isGreaterThan(turnComplete);
        }
        rec.awaitClosed(WAIT);
        rec.assertTerminatedOnce();
    }

    private static int indexOf(List<LiveEvent> events, Class<?> type) {
        for (int i = 0; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static String transcription(RecordingListener rec) {
        StringBuilder b = new StringBuilder();
        for (LiveEvent.OutputTranscription t : rec.all(LiveEvent.OutputTranscription.class)) {
            b.append(t.text());
        }
        return b.toString();
    }
}
