package dev.habla.client.internal;

/**
 * The model's turn as observed on one connection: whether one is open, whether it is generating, how it ended, and
 * what was said and heard (for the transcript). A plain object: no threads, no clock (times are passed in as nanos).
 * Owned by the resilient session's control thread.
 */
final class TurnState {
    /** Model (and heard) text kept per turn for the transcript. */
    static final int MAX_TURN_CHARS = 8_192;

    private boolean inTurn;
    private boolean generating;
    private boolean sawGenerationComplete;
    private boolean sawInterrupted;
    /** The open turn answers the user's turn (as opposed to one the model started by itself). */
    private boolean replyTurn;
    private long turnStartNanos;
    private long userInputSeqAtTurnStart;
    private long lastDataNanos;
    private boolean stallReported;
    private final StringBuilder modelText = new StringBuilder();
    private final StringBuilder spokenText = new StringBuilder();
    private final StringBuilder heardText = new StringBuilder();

    boolean inTurn() {
        return inTurn;
    }

    boolean generating() {
        return generating;
    }

    boolean replyTurn() {
        return replyTurn;
    }

    long turnStartNanos() {
        return turnStartNanos;
    }

    /**
     * Opens a model turn at {@code now}; {@code userInputSeq} is the user's input count then (to tell a phantom
     * interruption later). Call only when {@link #inTurn()} is false.
     */
    void open(long now, long userInputSeq) {
        inTurn = true;
        turnStartNanos = now;
        sawGenerationComplete = false;
        sawInterrupted = false;
        replyTurn = false;
        userInputSeqAtTurnStart = userInputSeq;
    }

    /** The open turn answers the user's pending turn. */
    void markReply() {
        replyTurn = true;
    }

    /** The model produced something at {@code now}; a tool call is not generation (the model waits for the result). */
    void output(long now, boolean toolCall) {
        generating = !toolCall;
        lastDataNanos = now;
        stallReported = false;
    }

    void interrupted() {
        generating = false;
        sawInterrupted = true;
    }

    void generationComplete() {
        generating = false;
        sawGenerationComplete = true;
    }

    /**
     * Whether an interruption is a phantom: no turn open, or no user input (typed or spoken) since the turn started.
     * {@code userInputSeq} and {@code speechSinceTurnStart} are the send side's view now.
     */
    boolean phantomInterruption(long userInputSeq, boolean speechSinceTurnStart) {
        return !inTurn || (userInputSeq == userInputSeqAtTurnStart && !speechSinceTurnStart);
    }

    /**
     * A turnComplete now may be premature (Gemini sometimes sends one mid-answer): a turn is open and neither
     * generationComplete nor interrupted came first.
     */
    boolean turnCompleteMayBePremature() {
        return inTurn && !sawGenerationComplete && !sawInterrupted;
    }

    /** Nanos since the model last produced something, at {@code now}. */
    long idleNanos(long now) {
        return now - lastDataNanos;
    }

    boolean stallReported() {
        return stallReported;
    }

    void stallReported(boolean reported) {
        stallReported = reported;
    }

    void appendModelText(String text) {
        append(modelText, text);
    }

    void appendSpoken(String text) {
        append(spokenText, text);
    }

    void appendHeard(String text) {
        append(heardText, text);
    }

    /** What the user was heard saying since the last call, or null: becomes a user turn of the transcript. */
    String takeHeard() {
        if (heardText.isEmpty()) {
            return null;
        }
        String heard = heardText.toString();
        heardText.setLength(0);
        return heard;
    }

    /** Closes the turn; returns what the model said in it (its text, else the transcription of its audio). */
    String end() {
        inTurn = false;
        generating = false;
        replyTurn = false;
        String said = !modelText.isEmpty() ? modelText.toString() : spokenText.toString();
        modelText.setLength(0);
        spokenText.setLength(0);
        return said;
    }

    private static void append(StringBuilder b, String text) {
        if (text != null && b.length() < MAX_TURN_CHARS) {
            b.append(text, 0, Math.min(text.length(), MAX_TURN_CHARS - b.length()));
        }
    }
}
