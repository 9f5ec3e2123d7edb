package dev.habla.emulator;

import dev.habla.protocol.Content;
import java.util.List;

/**
 * A snapshot of one emulator connection and the logical session behind it.
 *
 * @param id               connection id ({@code s1}, {@code s2}, ...), as in {@link ReceivedMessage#sessionId()}
 * @param logicalSessionId the logical session ({@code ls1}...): stays the same across resumptions; null before setup
 * @param model            model id without the {@code models/} prefix; null before setup
 * @param apiVersion       {@code v1}, {@code v1beta} or {@code v1alpha}, from the URL
 * @param open             whether the WebSocket is still open
 * @param history          text of the user turns of the logical session still in its context window, in order (audio
 *                         turns as {@code [speech 1.24s]}); all of them unless context window compression dropped some
 * @param conversation     every turn of the logical session still in its context window (user and model; model turns
 *                         hold what was sent)
 * @param receivedAudio    every realtime audio byte received by the logical session, in order, across resumptions
 */
public record EmulatorSession(
        String id,
        String logicalSessionId,
        String model,
        String apiVersion,
        boolean open,
        List<String> history,
        List<Content> conversation,
        byte[] receivedAudio) {

    @Override
    public String toString() {
        return "EmulatorSession[id=" + id + ", logicalSessionId=" + logicalSessionId + ", model=" + model + ", apiVersion="
                + apiVersion + ", open=" + open + ", history=" + history + ", receivedAudio=" + receivedAudio.length + " bytes]";
    }
}
