package dev.habla.vision;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A text session on the emulator whose answers the test reads one per turn (test helper). */
final class Seen implements AutoCloseable {
    final LiveEmulator emulator = LiveEmulator.create();
    final LiveClient client = LiveClient.create(c -> c.apiKey("test-key").baseUrl(emulator.baseUrl()));
    final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final LiveSession session;
    private final StringBuilder text = new StringBuilder();   // listener thread only

    Seen() throws Exception {
        SessionConfig config = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001").responseModality(ResponseModality.TEXT));
        session = client.connect(config, event -> {
            switch (event) {
                case LiveEvent.TextDelta t -> text.append(t.text());
                case LiveEvent.TurnComplete c -> {
                    answers.add(text.toString());
                    text.setLength(0);
                }
                case LiveEvent.Closed c -> answers.add("closed " + c.code() + " " + c.reason());
                default -> { }
            }
        });
    }

    /** Asks as realtime text, so the question stays behind the frames already sent (same realtime lane). */
    String ask(String question) throws InterruptedException {
        session.send(ClientMessage.RealtimeInput.ofText(question));
        String a = answers.poll(20, TimeUnit.SECONDS);
        if (a == null) {
            throw new AssertionError("no answer to '" + question + "' within 20 s");
        }
        return a;
    }

    @Override
    public void close() {
        session.close();
        client.close();
        emulator.close();
    }
}
