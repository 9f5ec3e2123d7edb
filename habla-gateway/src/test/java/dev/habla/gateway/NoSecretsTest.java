package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.testing.RawWs;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The provider key, the admin keys and minted tokens appear in no log line (Habla's at debug), no response (bodies and
 * headers of every endpoint, success and error), no server frame, and no served asset.
 */
@Timeout(60)
class NoSecretsTest {
    @Test
    void secretsNeverLeak() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        PrintStream original = System.err;
        List<String> seen = new ArrayList<>(); // every response and frame the test received
        List<String> tokens = new ArrayList<>();
        List<String> minted = new ArrayList<>();
        System.setErr(new PrintStream(new Tee(original, logs), true, StandardCharsets.UTF_8));
        try (Fixture f = new Fixture()) {
            for (String path : new String[] {"/v1alpha/auth_tokens", "/v1/auth_tokens", "/x/v1beta/auth_tokens"}) {
                Fixture.Http h = f.post(path, Fixture.ADMIN_KEY, "{\"uses\":2}");
                minted.add(h.body() + h.headers()); // the one place a token is given out
                tokens.add(h.json().path("name").asText());
            }
            for (String key : new String[] {null, "wrong-" + Fixture.ADMIN_KEY, Fixture.PROVIDER_KEY}) {
                Fixture.Http h = f.post("/v1alpha/auth_tokens", key, "{\"bad\":1}");
                seen.add(h.body() + h.headers());
            }
            seen.add(f.post("/v1alpha/auth_tokens", Fixture.ADMIN_KEY, "{\"bad\":1}").body());
            for (String path : new String[] {"/healthz", "/metrics", "/admin/usage", "/", "/nope", "/habla-talk.js"}) {
                Fixture.Http h = f.request("GET", path, Fixture.ADMIN_KEY, "http://127.0.0.1:1234");
                seen.add(h.body() + h.headers());
            }
            Events ev = new Events();
            try (LiveClient c = f.tokenClient(tokens.getFirst());
                    LiveSession s = c.connect(SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT)), ev)) {
                s.sendText("hello");
                seen.add(ev.reply(Duration.ofSeconds(10)));
            }
            try (RawWs ws = RawWs.open(f.tokenUrl(tokens.get(1)), Map.of())) {
                ws.send("{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}");
                ws.send("{\"clientContent\":{\"turns\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}],\"turnComplete\":true}}");
                ws.framesUntil(j -> j.contains("turnComplete"), Duration.ofSeconds(10));
                ws.send("{\"oops\":1}");
                seen.add(String.valueOf(ws.awaitClose(Duration.ofSeconds(10))));
                ws.allFrames().forEach(fr -> seen.add(fr.json()));
            }
            try (RawWs ws = RawWs.open(f.tokenUrl("auth_tokens/" + "cd".repeat(32)), Map.of())) {
                ws.trySend("{\"setup\":{\"model\":\"models/" + Fixture.MODEL + "\"}}");
                seen.add(String.valueOf(ws.awaitClose(Duration.ofSeconds(10))));
            }
        } finally {
            System.err.flush();
            System.setErr(original);
        }
        String log = logs.toString(StandardCharsets.UTF_8);
        assertThat(log).as("the capture works: gateway lines are in it").contains("Minted token").contains("started conversation");
        List<String> keys = List.of(Fixture.PROVIDER_KEY, Fixture.ADMIN_KEY, Fixture.OTHER_ADMIN_KEY);
        List<String> assets = assets();
        assertThat(assets).as("console assets found").hasSizeGreaterThanOrEqualTo(5);
        for (String key : keys) {
            assertThat(log).doesNotContain(key);
            assertThat(String.join("\n", seen)).doesNotContain(key);
            assertThat(String.join("\n", minted)).doesNotContain(key);
            assertThat(String.join("\n", assets)).doesNotContain(key);
        }
        for (String t : tokens) {
            String secret = t.substring("auth_tokens/".length());
            assertThat(log).as("tokens are logged by a hash prefix only").doesNotContain(secret);
            assertThat(String.join("\n", seen)).doesNotContain(secret);
        }
        // Tokens are named by a short hash prefix in logs, never in full.
        assertThat(seen).anyMatch(s -> s.contains("You said: hello"));
    }

    /** Every file served as a console asset. */
    static List<String> assets() throws Exception {
        URI dir = NoSecretsTest.class.getResource("/dev/habla/gateway/console/").toURI();
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            return files.map(p -> {
                try {
                    return Files.readString(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
    }

    /** Writes to both streams. */
    private static final class Tee extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        Tee(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            synchronized (b) {
                b.write(x);
            }
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            synchronized (b) {
                b.write(buf, off, len);
            }
        }
    }
}
