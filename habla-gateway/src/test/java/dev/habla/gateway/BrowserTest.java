package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.emulator.ReceivedMessage;
import dev.habla.protocol.Blob;
import dev.habla.protocol.ClientMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway from headless Chromium (Debian {@code chromium}, npm {@code playwright-core} 1.65.1, js/browser.mjs)
 * with a fake microphone (WAV) and camera (Y4M): the official SDK's browser build, the console at {@code /}, and a
 * long session over short upstream connections with a network drop. Without Chromium these tests are skipped, unless
 * {@code CI=true} (then they fail: {@code .ci/run} installs it).
 */
@Timeout(600)
class BrowserTest {
    static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");

    @BeforeAll
    static void needChromium() throws Exception {
        boolean present = Files.isExecutable(Path.of(CHROMIUM));
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(present, "no Chromium at " + CHROMIUM);
        }
        assertThat(present).as("Chromium at %s (.ci/run installs it)", CHROMIUM).isTrue();
        Node.prepare();
    }

    static JsonNode run(Fixture f, String scenario, String... extra) throws Exception {
        return run(f, 120, scenario, extra);
    }

    static JsonNode run(Fixture f, int timeoutSeconds, String scenario, String... extra) throws Exception {
        String[] args = new String[3 + extra.length];
        args[0] = scenario;
        args[1] = f.gateway.baseUrl();
        args[2] = Fixture.ADMIN_KEY;
        System.arraycopy(extra, 0, args, 3, extra.length);
        JsonNode r = Node.run(timeoutSeconds, "browser.mjs", args).result();
        System.out.println("browser " + scenario + ": " + r);
        return r;
    }

    @Test
    void officialSdkInChromium() throws Exception {
        try (Fixture f = new Fixture()) {
            JsonNode r = run(f, "sdk");
            assertThat(r.path("first").asText()).isEqualTo("You said: Hello from Chromium");
            assertThat(r.path("history").asText()).isEqualTo("History: 1. Hello from Chromium");
            assertThat(r.path("tool").asText()).isEqualTo("Tool lights returned {\"on\":true}");
            assertThat(r.path("micChunks").asInt()).isGreaterThan(20);
            assertThat(r.path("audioChunks").asInt()).isGreaterThan(5);
            assertThat(r.path("input").asText()).matches("\\[speech \\d\\.\\d\\ds\\]");
            assertThat(r.path("output").asText()).startsWith("I heard ");
            assertThat(r.path("usedUp").asText()).isEqualTo("Live connection closed before setup completed (code 1008): Ephemeral token has no uses left.");
            assertThat(r.path("wrong").asText())
                    .isEqualTo("Live connection closed before setup completed (code 1008): API key not valid. Please pass a valid API key.");
            assertThat(r.path("origin").asText()).as("a page of another origin").startsWith("http://127.0.0.1:")
                    .isNotEqualTo(f.gateway.baseUrl());
            assertThat(r.path("errors")).isEmpty();
        }
    }

    @Test
    void consoleTalkTypeBargeInCamera() throws Exception {
        try (Fixture f = new Fixture()) {
            JsonNode r = run(f, "console");
            assertThat(r.path("typed").asText()).isEqualTo("You said: hello console");
            assertThat(r.path("interrupted").asInt()).isEqualTo(1);
            assertThat(r.path("afterBarge").path("silent").asBoolean()).as("playback stopped at the interrupted").isTrue();
            assertThat(r.path("levelAfterBarge").asDouble()).isLessThan(0.001);
            assertThat(r.path("heard").asText()).matches(".*\\[speech \\d\\.\\d\\ds\\].*");
            assertThat(r.path("model").asText()).contains("I heard ");
            assertThat(r.path("maxOutputLevel").asDouble()).as("reply audio played").isGreaterThan(0.01);
            assertThat(r.path("framesSent").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(r.path("errors")).isEmpty();
            // The camera's frames reached the upstream (the emulator's side): JPEGs in realtimeInput.video.
            int jpegs = 0;
            ReceivedMessage m;
            while ((m = f.emulator.takeClientMessage(Duration.ofMillis(200))) != null) {
                if (m.message() instanceof ClientMessage.RealtimeInput ri && ri.video() != null) {
                    Blob v = ri.video();
                    assertThat(v.mimeType()).isEqualTo("image/jpeg");
                    assertThat(v.data()[0] & 0xff).isEqualTo(0xff);
                    assertThat(v.data()[1] & 0xff).isEqualTo(0xd8);
                    jpegs++;
                }
            }
            assertThat(jpegs).isGreaterThanOrEqualTo(2);
        }
    }

    /**
     * The console's screen share (Chromium's fake screen, a green 1280x720 test pattern, sent scaled to 640x360 JPEGs)
     * and image upload (a blue 64x48 PNG): both reach the emulator as sent, and each "what do you see" answer names
     * what was seen (the emulator decodes the newest frame: size and dominant colour).
     */
    @Test
    void consoleScreenShareAndImageUpload() throws Exception {
        try (Fixture f = new Fixture()) {
            JsonNode r = run(f, "vision");
            assertThat(r.path("image").asText()).isEqualTo("I see a 64x48 image, mostly blue; 1 frame since your last turn.");
            assertThat(r.path("screen").asText()).matches("I see a 640x360 image, mostly green; \\d+ frames since your last turn\\.");
            assertThat(r.path("framesSent").asInt()).isGreaterThanOrEqualTo(3);
            assertThat(r.path("errors")).isEmpty();
            // The emulator's side: the PNG as uploaded, then the screen's JPEGs, all in realtimeInput.video.
            java.util.List<String> seen = new java.util.ArrayList<>();
            ReceivedMessage m;
            while ((m = f.emulator.takeClientMessage(Duration.ofMillis(200))) != null) {
                if (m.message() instanceof ClientMessage.RealtimeInput ri && ri.video() != null) {
                    java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(ri.video().data()));
                    assertThat(img).as("a decodable %s", ri.video().mimeType()).isNotNull();
                    seen.add(ri.video().mimeType() + " " + img.getWidth() + "x" + img.getHeight());
                }
            }
            assertThat(seen).first().isEqualTo("image/png 64x48");
            assertThat(seen.subList(1, seen.size())).hasSizeGreaterThanOrEqualTo(2).allMatch(x -> x.equals("image/jpeg 640x360"));
        }
    }

    @Test
    void dropInOnAnotherOrigin() throws Exception {
        try (Fixture f = new Fixture()) {
            JsonNode r = run(f, "dropin");
            StringBuilder model = new StringBuilder();
            StringBuilder user = new StringBuilder();
            r.path("said").forEach(t -> (t.path("who").asText().equals("model") ? model : user).append(t.path("text").asText()));
            assertThat(user.toString()).matches("\\[speech \\d\\.\\d\\ds\\]");
            assertThat(model.toString()).startsWith("I heard ");
            assertThat(r.path("shown").asText()).contains("I heard ");
            assertThat(r.path("states").toString()).contains("connecting").contains("listening");
            assertThat(r.path("errors")).isEmpty();
        }
    }

    /**
     * Default: 20 s over 4 s upstream connections, goAway 3 s ahead (more than the upstream session's 2 s handover
     * deadline margin, so handovers wait for a turn boundary instead of being forced at once). The run (3 minutes, 10 s connections, a turn every 3 s):
     * {@code -Dhabla.gateway.browser.seconds=180 -Dhabla.gateway.browser.lifetime=10 -Dhabla.gateway.browser.gap=3}.
     */
    @Test
    void longBrowserSessionOverShortUpstreamConnectionsThenADrop() throws Exception {
        int seconds = Integer.getInteger("habla.gateway.browser.seconds", 20);
        int lifetime = Integer.getInteger("habla.gateway.browser.lifetime", 4);
        String gap = System.getProperty("habla.gateway.browser.gap", "2");
        try (Fixture f = new Fixture(e -> e.connectionLifetime(Duration.ofSeconds(lifetime)).goAwayLead(Duration.ofSeconds(3)), g -> { })) {
            JsonNode r = run(f, seconds + 90, "long", String.valueOf(seconds), gap);
            int turns = r.path("said").size();
            assertThat(turns).isGreaterThanOrEqualTo(seconds / (Integer.parseInt(gap) + 1));
            assertThat(r.path("bad")).as("every turn answered once, with its own reply").isEmpty();
            assertThat(r.path("turnsSeen").asInt()).isEqualTo(turns + 1);
            assertThat(r.path("goAways").asInt()).isZero();
            assertThat(r.path("closeBeforeDrop").isNull()).as("no close before the drop").isTrue();
            StringBuilder history = new StringBuilder("History: ");
            for (int i = 0; i < turns; i++) {
                history.append(i == 0 ? "" : " | ").append(i + 1).append(". turn ").append(i + 1);
            }
            assertThat(r.path("history").asText()).isEqualTo(history.toString());
            assertThat(r.path("resumed").path("dropCode").asInt()).isEqualTo(1006);
            assertThat(r.path("resumed").path("after").asText()).isEqualTo("You said: after the drop");
            assertThat(r.path("resumed").path("history").asText()).isEqualTo(history + " | " + (turns + 1) + ". history | " + (turns + 2) + ". after the drop");
            assertThat(r.path("errors")).isEmpty();
            int setups = 0;
            ReceivedMessage m;
            while ((m = f.emulator.takeClientMessage(Duration.ofMillis(100))) != null) {
                if (m.message() instanceof ClientMessage.Setup) {
                    setups++;
                }
            }
            System.out.printf("browser long session: %d s, %d turns, %d upstream connections of %d s%n", seconds, turns, setups, lifetime);
            assertThat(setups).isGreaterThanOrEqualTo(seconds / lifetime);
        }
    }
}
