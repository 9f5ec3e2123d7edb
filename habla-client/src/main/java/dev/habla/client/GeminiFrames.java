package dev.habla.client;

import dev.habla.client.internal.GeminiProvider;
import dev.habla.protocol.Blob;
import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.ServerMessage.ServerContent;
import dev.habla.protocol.Transcription;
import java.util.List;
import java.util.Objects;

/**
 * {@link LiveEvent}s as Gemini Live server frames and back: {@link #encode} is the inverse of the Gemini provider's
 * decoding ({@link #decode}), so a server that relays events (habla-gateway, re-encoding an upstream's events for
 * browsers that speak the Live wire) sends what a Gemini client decodes into the same events. Write a frame with
 * {@code LiveCodec.encode(ServerFrame)}. Stateless and thread-safe.
 *
 * <p>For every event {@code e} that {@link #encode} accepts, {@code decode(encode(e))} is {@code List.of(e)}, with two
 * normalisations the Gemini wire imposes: a {@link LiveEvent.GoingAway} without a time left decodes with
 * {@link java.time.Duration#ZERO}, and a {@link LiveEvent.ResumptionUpdate} that is not resumable carries no handle.
 * Connection events ({@link LiveEvent.ConnectionEvent}), {@link LiveEvent.ServiceError} (another provider's in-band
 * error) and {@link LiveEvent.Closed} are not frames (a close is a WebSocket close code) and are refused.
 */
public final class GeminiFrames {
    private GeminiFrames() {}

    /**
     * The server frame that a Gemini client decodes into exactly {@code event}.
     *
     * @throws IllegalArgumentException for a connection event, a {@link LiveEvent.ServiceError} or {@link LiveEvent.Closed}
     */
    public static ServerFrame encode(LiveEvent event) {
        Objects.requireNonNull(event, "event");
        return switch (event) {
            case LiveEvent.SetupCompleted e -> ServerFrame.of(new ServerMessage.SetupComplete(e.sessionId()));
            case LiveEvent.TextDelta e -> content(turn(new Part(e.text(), null, null, null, null, null, null, null,
                    e.thought(), null, null)));
            case LiveEvent.AudioChunk e -> content(turn(Part.ofInlineData(Blob.pcmMimeType(e.sampleRate()), e.pcm())));
            case LiveEvent.ExecutableCode e -> content(turn(Part.ofExecutableCode(new ExecutableCode(e.language(), e.code()))));
            case LiveEvent.CodeExecutionResult e -> content(turn(Part.ofCodeExecutionResult(
                    new CodeExecutionResult(e.outcome(), e.output()))));
            case LiveEvent.InputTranscription e -> content(ServerContent.inputTranscription(new Transcription(e.text(), e.finished())));
            case LiveEvent.OutputTranscription e -> content(ServerContent.outputTranscription(new Transcription(e.text(), e.finished())));
            case LiveEvent.Grounding e -> content(ServerContent.grounding(e.metadata()));
            case LiveEvent.Interrupted e -> content(signals(false, false, true, false, null));
            case LiveEvent.WaitingForInput e -> content(signals(false, false, false, true, null));
            case LiveEvent.GenerationComplete e -> content(signals(true, false, false, false, null));
            case LiveEvent.TurnComplete e -> ServerFrame.of(signals(false, true, false, false, e.reason()), e.usage());
            case LiveEvent.Usage e -> new ServerFrame(null, e.usage(), List.of());
            case LiveEvent.ToolCallRequested e -> ServerFrame.of(new ServerMessage.ToolCall(e.calls()));
            case LiveEvent.ToolCallCancelled e -> ServerFrame.of(new ServerMessage.ToolCallCancellation(e.ids()));
            case LiveEvent.GoingAway e -> ServerFrame.of(new ServerMessage.GoAway(e.timeLeft()));
            case LiveEvent.ResumptionUpdate e -> ServerFrame.of(new ServerMessage.SessionResumptionUpdate(
                    e.resumable() ? e.handle() : null, e.resumable(), null));
            case LiveEvent.VoiceActivity e -> ServerFrame.of(new ServerMessage.VoiceActivity(e.type(), e.offset()));
            case LiveEvent.Unrecognized e -> new ServerFrame(null, null, e.fields());
            case LiveEvent.ServiceError e -> throw new IllegalArgumentException(
                    "the Gemini wire has no in-band error (its errors are close codes): " + e.error().getMessage());
            case LiveEvent.ConnectionEvent e -> throw new IllegalArgumentException(
                    e.getClass().getSimpleName() + " is a client-side connection event, not a server frame");
            case LiveEvent.Closed e -> throw new IllegalArgumentException(
                    "Closed is a WebSocket close (code " + e.code() + "), not a server frame");
        };
    }

    /** The events a Gemini client delivers for one server frame, in delivery order (the provider's decoding). */
    public static List<LiveEvent> decode(ServerFrame frame) {
        return GeminiProvider.events(Objects.requireNonNull(frame, "frame"));
    }

    private static ServerContent turn(Part part) {
        return ServerContent.modelTurn(new Content(List.of(part), "model"));
    }

    private static ServerContent signals(boolean generationComplete, boolean turnComplete, boolean interrupted,
            boolean waitingForInput, ServerMessage.TurnCompleteReason reason) {
        return new ServerContent(null, generationComplete, turnComplete, interrupted, null, null, null, null,
                waitingForInput, reason);
    }

    private static ServerFrame content(ServerContent c) {
        return ServerFrame.of(c);
    }
}
