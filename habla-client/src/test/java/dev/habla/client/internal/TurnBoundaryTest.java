package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ResiliencePolicy;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.RealtimeInputConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The turn-boundary rule alone: plain values in, a decision out. No sockets, no threads, no clock. */
class TurnBoundaryTest {
    static final long MS = 1_000_000L;
    /** 700 ms of quiet needed, 15 s reply timeout, server-side activity detection. */
    final TurnBoundary vad = new TurnBoundary(false, 700 * MS, 15_000 * MS);
    final TurnBoundary manual = new TurnBoundary(true, 700 * MS, 15_000 * MS);

    private static TurnBoundary.Input quiet(long quietMs) {
        return new TurnBoundary.Input(false, false, quietMs * MS, false, 0, false);
    }

    @Test
    void theModelSideIsABoundaryOnlyBetweenTurnsWhenResumable() {
        assertThat(TurnBoundary.modelAtBoundary(false, false, true)).isTrue();
        assertThat(TurnBoundary.modelAtBoundary(true, false, true)).as("a model turn open").isFalse();
        assertThat(TurnBoundary.modelAtBoundary(false, true, true)).as("a turnComplete held back").isFalse();
        assertThat(TurnBoundary.modelAtBoundary(false, false, false)).as("the server says not resumable").isFalse();
    }

    @Test
    void theUserSideNeedsQuietAudioNoAwaitedReplyNoOpenCallOrActivity() {
        long now = 60_000 * MS;
        assertThat(vad.inputAtBoundary(quiet(700), now)).isTrue();
        assertThat(vad.inputAtBoundary(quiet(699), now)).as("audio not quiet long enough").isFalse();
        assertThat(vad.inputAtBoundary(new TurnBoundary.Input(true, false, Long.MAX_VALUE, false, 0, false), now))
                .as("a user turn awaits its reply").isFalse();
        assertThat(vad.inputAtBoundary(new TurnBoundary.Input(false, false, Long.MAX_VALUE, false, 0, true), now))
                .as("a tool call of this connection unanswered").isFalse();
        assertThat(manual.inputAtBoundary(new TurnBoundary.Input(false, true, Long.MAX_VALUE, false, 0, false), now))
                .as("an activity open").isFalse();
        assertThat(manual.inputAtBoundary(quiet(0), now)).as("manual activity: audio outside an activity does not count")
                .isTrue();
    }

    @Test
    void speechWaitsForItsReplyUntilTheReplyTimeoutCountedFromTheLastSpeech() {
        long lastSpeech = 10_000 * MS;
        TurnBoundary.Input spoke = new TurnBoundary.Input(false, false, 2_000 * MS, true, lastSpeech, false);
        assertThat(vad.spokenReplyWait(spoke, lastSpeech + 2_000 * MS)).isEqualTo(13_000 * MS);
        assertThat(vad.inputAtBoundary(spoke, lastSpeech + 2_000 * MS)).isFalse();
        assertThat(vad.spokenReplyWait(spoke, lastSpeech + 15_000 * MS)).isZero();
        assertThat(vad.inputAtBoundary(spoke, lastSpeech + 15_000 * MS)).as("the server heard noise, not a turn").isTrue();
        assertThat(manual.spokenReplyWait(spoke, lastSpeech)).as("manual activity: activityEnd ends turns").isZero();
        assertThat(new TurnBoundary(false, 0, 15_000 * MS).spokenReplyWait(spoke, lastSpeech)).as("no quiet wanted").isZero();
    }

    @Test
    void quietCrossingIsSeenOnce() {
        assertThat(vad.becameQuiet(600 * MS, 700 * MS)).isTrue();
        assertThat(vad.becameQuiet(700 * MS, 800 * MS)).isFalse();
        assertThat(vad.becameQuiet(100 * MS, 600 * MS)).isFalse();
    }

    @Test
    void theRuleComesFromThePolicyAndTheConfigsActivityDetection() {
        ResiliencePolicy policy = ResiliencePolicy.defaults();
        SessionConfig plain = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001"));
        TurnBoundary b = TurnBoundary.of(plain, policy);
        assertThat(b.manualActivity()).isFalse();
        assertThat(b.quietNeededNanos()).isEqualTo(ResiliencePolicy.DEFAULT_QUIET_AUDIO_BEFORE_HANDOVER.toNanos());

        SessionConfig longSilence = SessionConfig.create(c -> c.model("gemini-2.0-flash-live-001").realtimeInputConfig(
                new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(null, null, null, null, 1_500),
                        null, null)));
        assertThat(TurnBoundary.of(longSilence, policy).quietNeededNanos())
                .as("the server's end-of-speech silence plus a margin").isEqualTo(1_500 * MS + TurnBoundary.VAD_MARGIN_NANOS);

        SessionConfig manualConfig = SessionConfig.create(c -> c.model("gemini-2.0-flash-live-001").realtimeInputConfig(
                new RealtimeInputConfig(new RealtimeInputConfig.AutomaticActivityDetection(true, null, null, null, null),
                        null, null)));
        assertThat(TurnBoundary.of(manualConfig, policy).manualActivity()).isTrue();
        assertThat(TurnBoundary.of(plain, ResiliencePolicy.create(p -> p.quietAudioBeforeHandover(Duration.ZERO)))
                .quietNeededNanos()).isZero();
    }
}
