package com.example.quickstart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ResponseModality;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example against Habla's Live API emulator, started in-process on a free loopback port. The emulator answers
 * {@code You said: <text>}, and {@code call NAME {json}} makes it call a declared tool. It accepts any non-empty API
 * key (the client requires one), so the test passes a placeholder.
 */
@Timeout(60)
class QuickstartTest {
    static LiveEmulator emulator;
    static LiveClient client;

    @BeforeAll
    static void start() {
        emulator = LiveEmulator.create(b -> b.port(0));
        client = LiveClient.create(c -> c.apiKey("placeholder").baseUrl(emulator.baseUrl()));
    }

    @AfterAll
    static void stop() {
        client.close();
        emulator.close();
    }

    @Test
    void aTextTurnIsAnswered() throws Exception {
        SessionConfig text = SessionConfig.create(b -> b.model("gemini-live-2.5-flash-preview")
                .responseModality(ResponseModality.TEXT));
        assertThat(Quickstart.ask(client, text, "Hello")).isEqualTo("You said: Hello");
    }

    @Test
    void theModelCallsTheJavaFunctionAndAnswersWithItsResult() throws Exception {
        String reply = Quickstart.ask(client, Quickstart.config(), "call order_status {\"id\":\"42\"}");
        assertThat(reply).contains("order_status").contains("order 42 ships tomorrow");
    }
}
