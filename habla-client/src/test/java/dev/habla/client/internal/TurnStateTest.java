package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One connection's model turn, fed by hand with times in nanos. No sockets, no threads, no clock. */
class TurnStateTest {

    @Test
    void aTurnOpensGeneratesAndEndsWithWhatTheModelSaid() {
        TurnState t = new TurnState();
        assertThat(t.inTurn()).isFalse();
        t.open(1_000, 7);
        t.output(1_000, false);
        t.appendModelText("Hello");
        t.appendSpoken("ignored when there is text");
        assertThat(t.inTurn()).isTrue();
        assertThat(t.generating()).isTrue();
        assertThat(t.turnStartNanos()).isEqualTo(1_000);
        assertThat(t.idleNanos(4_000)).isEqualTo(3_000);
        assertThat(t.turnCompleteMayBePremature()).as("no generationComplete yet").isTrue();
        t.generationComplete();
        assertThat(t.generating()).isFalse();
        assertThat(t.turnCompleteMayBePremature()).isFalse();
        assertThat(t.end()).isEqualTo("Hello");
        assertThat(t.inTurn()).isFalse();
        assertThat(t.end()).as("nothing left").isEmpty();
    }

    @Test
    void anAudioTurnIsRememberedByItsTranscription() {
        TurnState t = new TurnState();
        t.open(0, 0);
        t.appendSpoken("Hi ");
        t.appendSpoken("there");
        assertThat(t.end()).isEqualTo("Hi there");
    }

    @Test
    void aToolCallIsNotGenerationAndTheReplyFlagLastsOneTurn() {
        TurnState t = new TurnState();
        t.open(0, 0);
        t.markReply();
        t.output(5, true);
        assertThat(t.generating()).as("waiting for the tool").isFalse();
        assertThat(t.replyTurn()).isTrue();
        t.end();
        t.open(10, 0);
        assertThat(t.replyTurn()).as("a new turn is not a reply until marked").isFalse();
    }

    @Test
    void anInterruptionWithoutUserInputSinceTheTurnStartedIsAPhantom() {
        TurnState t = new TurnState();
        assertThat(t.phantomInterruption(0, false)).as("no turn open").isTrue();
        t.open(0, 3);
        assertThat(t.phantomInterruption(3, false)).isTrue();
        assertThat(t.phantomInterruption(4, false)).as("the user typed").isFalse();
        assertThat(t.phantomInterruption(3, true)).as("the user spoke").isFalse();
        t.interrupted();
        assertThat(t.generating()).isFalse();
        assertThat(t.turnCompleteMayBePremature()).isFalse();
    }

    @Test
    void heardSpeechIsTakenOnceAndTextIsBounded() {
        TurnState t = new TurnState();
        assertThat(t.takeHeard()).isNull();
        t.appendHeard("what time ");
        t.appendHeard("is it");
        assertThat(t.takeHeard()).isEqualTo("what time is it");
        assertThat(t.takeHeard()).isNull();
        t.open(0, 0);
        t.appendModelText("x".repeat(TurnState.MAX_TURN_CHARS + 100));
        assertThat(t.end()).hasSize(TurnState.MAX_TURN_CHARS);
    }

    @Test
    void aStallIsReportedOncePerSilenceAndOutputRearmsIt() {
        TurnState t = new TurnState();
        t.open(0, 0);
        t.output(0, false);
        t.stallReported(true);
        assertThat(t.stallReported()).isTrue();
        t.output(100, false);
        assertThat(t.stallReported()).isFalse();
    }
}
