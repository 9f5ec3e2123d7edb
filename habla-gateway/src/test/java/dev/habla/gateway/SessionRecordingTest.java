package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.Cassette;
import dev.habla.protocol.ResponseModality;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Gateway.Builder.recordSessions}: one cassette per session of the configured app (none for the others),
 * retention by count, no secret in the file, and the cassette replays as the gateway's upstream.
 */
@Timeout(60)
class SessionRecordingTest {
    static final Duration T = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT));
    }

    private static void converse(Fixture f, String adminKey, String text) throws Exception {
        Events ev = new Events();
        try (LiveClient client = LiveClient.create(c -> c.apiKey(adminKey).baseUrl(f.gateway.baseUrl()));
             LiveSession s = client.connect(text(), ev)) {
            s.sendText(text);
            assertThat(ev.reply(T)).isEqualTo("You said: " + text);
        }
    }

    /** The cassettes of the folder, waiting (bounded) until each has its last line: the upstream closes after the client. */
    private List<Path> cassettes(int expected) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        while (true) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.sorted().toList();
            }
            boolean closed = files.size() == expected && files.stream().allMatch(p -> read(p).contains("\"close\""));
            if (closed || System.nanoTime() > deadline) {
                return files;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // polls a file condition, bounded above
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (Exception e) {
            return "";
        }
    }

    @Test
    void recordsTheConfiguredAppsSessionsKeepingTheNewest() throws Exception {
        try (Fixture f = new Fixture(e -> { }, g -> g.recordSessions("shop", dir, 2, Duration.ofDays(7)))) {
            converse(f, Fixture.OTHER_ADMIN_KEY, "not recorded");
            converse(f, Fixture.ADMIN_KEY, "first");
            assertThat(cassettes(1)).singleElement().satisfies(p -> assertThat(p.getFileName().toString()).matches("shop-\\d{8}T\\d{6}Z-\\d+\\.jsonl"));
            converse(f, Fixture.ADMIN_KEY, "second");
            converse(f, Fixture.ADMIN_KEY, "third");
            List<Path> kept = cassettes(2);
            assertThat(kept).hasSize(2);
            String all = read(kept.get(0)) + read(kept.get(1));
            assertThat(all).doesNotContain("first").doesNotContain("not recorded").contains("second").contains("third")
                    .doesNotContain(Fixture.PROVIDER_KEY).doesNotContain(Fixture.ADMIN_KEY);

            // The cassette replays as the upstream: a gateway in front of `habla emulator --replay` answers the same.
            Path third = kept.stream().filter(p -> read(p).contains("third")).findFirst().orElseThrow();
            assertThat(Cassette.parse(Files.readAllLines(third)).connections()).isEqualTo(1);
            try (LiveEmulator replay = LiveEmulator.create(b -> b.replay(third));
                 Gateway g = Gateway.create(b -> b.upstream(c -> c.apiKey("any").baseUrl(replay.baseUrl()))
                         .app(GatewayApp.of("shop", Fixture.ADMIN_KEY)))) {
                Events ev = new Events();
                try (LiveClient client = LiveClient.create(c -> c.apiKey(Fixture.ADMIN_KEY).baseUrl(g.baseUrl()));
                     LiveSession s = client.connect(text(), ev)) {
                    s.sendText("third");
                    assertThat(ev.reply(T)).isEqualTo("You said: third");
                }
                assertThat(replay.replayMismatches()).isEmpty();
            }
        }
    }
}
