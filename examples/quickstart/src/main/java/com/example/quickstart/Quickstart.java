package com.example.quickstart;

import dev.habla.client.AnswerCollector;
import dev.habla.client.LiveClient;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.tools.Param;
import dev.habla.tools.ToolRegistry;
import dev.habla.tools.ToolRunner;
import dev.habla.tools.Tools;
import java.util.concurrent.TimeUnit;

/**
 * Asks Gemini Live one question, with a Java function it may call, and prints the answer.
 * {@code GEMINI_API_KEY=... mvn -q compile exec:java -Dexec.args="Where is order 42?"}
 */
public final class Quickstart {
    private Quickstart() {}

    /** What the real service answers with today: a native-audio model, which speaks; its transcript is the reply. */
    public static final String MODEL = "gemini-2.5-flash-native-audio-latest";

    /** The tool's arguments: a record is its JSON schema. */
    record OrderQuery(@Param(description = "The order number") String id) {}

    /** The functions the model may call. */
    static ToolRegistry tools() {
        return ToolRegistry.of(Tools.function("order_status", "Where a customer's order is", OrderQuery.class,
                q -> "order " + q.id() + " ships tomorrow"));
    }

    /** The session settings for {@link #MODEL}: spoken answers with their transcript. */
    public static SessionConfig config() {
        return SessionConfig.create(b -> b.model(MODEL).responseModality(ResponseModality.AUDIO)
                .outputTranscription(true).systemInstruction("Answer in one short sentence."));
    }

    /** Connects, asks {@code question}, answers the model's tool calls meanwhile, and returns its reply. */
    public static String ask(LiveClient client, SessionConfig config, String question) throws Exception {
        AnswerCollector answers = AnswerCollector.create();   // one Answer per model turn
        try (ToolRunner tools = ToolRunner.create(tools());
             LiveSession session = tools.connect(client, config, answers)) {   // declares the tools in the setup
            return answers.ask(session, question).get(60, TimeUnit.SECONDS).reply();
        }
    }

    public static void main(String[] args) throws Exception {
        String key = System.getenv("GEMINI_API_KEY");
        if (key == null || key.isBlank()) {
            System.err.println("Set GEMINI_API_KEY (get one at https://aistudio.google.com/apikey).");
            System.exit(2);
        }
        String question = args.length > 0 ? String.join(" ", args) : "Where is order 42?";
        try (LiveClient client = LiveClient.create(c -> c.apiKey(key))) {
            System.out.println(ask(client, config(), question));
        }
    }
}
