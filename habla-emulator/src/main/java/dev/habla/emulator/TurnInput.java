package dev.habla.emulator;

import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The input of one model turn, as a {@link ReplyPolicy} sees it.
 *
 * @param kind         what started the turn
 * @param text         the user's text ({@link Kind#TEXT}: the text of the user turns joined by a space, or a realtime
 *                     text); {@code null} otherwise
 * @param audioSeconds length of the utterance ({@link Kind#SPEECH}), else 0
 * @param images       images and video frames received since the previous turn started (realtime video,
 *                     image/video media chunks, inline image parts of client content), oldest first, at most
 *                     {@link #MAX_IMAGES} (the newest)
 * @param toolResults  function responses this turn answers ({@link Kind#TOOL_RESULTS}), each with its function's name
 * @param history      the earlier user turns of the logical session still in its context window (the newest user
 *                     turn, normally this one, excluded), text or {@code [speech 1.24s]}
 * @param conversation every turn of the logical session still in its context window (user, model, tool traffic)
 * @param functions    the functions declared by setup (or a later context update), by name
 * @param model        the model id, without {@code models/}
 * @param framesSinceLastTurn how many images and video frames arrived since the previous turn input was built (all
 *                     of them, also those older than the {@link #MAX_IMAGES} kept in {@code images})
 * @param lastFrame    the newest image or frame of the connection, also when it came before the previous turn (a
 *                     still scene is sent once); null if none arrived yet
 */
public record TurnInput(
        Kind kind,
        String text,
        double audioSeconds,
        List<Blob> images,
        List<FunctionResponse> toolResults,
        List<String> history,
        List<Content> conversation,
        Map<String, FunctionDeclaration> functions,
        String model,
        int framesSinceLastTurn,
        Blob lastFrame) {

    /** Frames kept for the next turn; older ones are dropped (the emulator's memory stays bounded). */
    public static final int MAX_IMAGES = 8;

    /** What started a model turn. */
    public enum Kind {
        /** Client content with {@code turnComplete:true} carrying user text, realtime text, or text inside an activity. */
        TEXT,
        /** A speech utterance (server VAD, or {@code activityStart}…{@code activityEnd}). */
        SPEECH,
        /** Function responses: a blocking call's turn resumes, a non-blocking response is spoken, or results arrived as content. */
        TOOL_RESULTS,
        /** Client content with {@code turnComplete:true} and neither user text nor tool results. */
        NOTHING
    }

    public TurnInput {
        Objects.requireNonNull(kind, "kind");
        images = List.copyOf(images);
        toolResults = List.copyOf(toolResults);
        history = List.copyOf(history);
        conversation = List.copyOf(conversation);
        functions = Map.copyOf(functions);
        if (framesSinceLastTurn < images.size()) {
            throw new IllegalArgumentException("framesSinceLastTurn (" + framesSinceLastTurn + ") < images (" + images.size() + ")");
        }
    }

    /** A turn input whose frame count is the number of {@code images} given. */
    public TurnInput(Kind kind, String text, double audioSeconds, List<Blob> images, List<FunctionResponse> toolResults,
                     List<String> history, List<Content> conversation, Map<String, FunctionDeclaration> functions,
                     String model) {
        this(kind, text, audioSeconds, images, toolResults, history, conversation, functions, model, images.size(),
                images.isEmpty() ? null : images.getLast());
    }
}
