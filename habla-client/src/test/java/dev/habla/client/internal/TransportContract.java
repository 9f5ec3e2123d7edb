package dev.habla.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.client.ClientConfig;
import dev.habla.client.LiveException;
import dev.habla.client.SessionConfig;
import dev.habla.emulator.EmulatorExtension;
import dev.habla.emulator.LiveEmulator;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What every {@link Transport} with threads of its own must do, against the emulator: message credit, pongs, close,
 * permessage-deflate only when asked, handshake failures with their status, threads stopped on close. A transport's
 * test extends it with how to build one and what is particular to it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class TransportContract<T extends Transport> {
    static final String KEY = "test-key";
    static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final EmulatorExtension extension = EmulatorExtension.create(x -> x.emulator(b -> b.apiKey(KEY)));
    LiveEmulator emulator;
    final GeminiProvider provider = GeminiProvider.INSTANCE;
    final SessionConfig session = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
            .responseModality(ResponseModality.TEXT));

    @BeforeEach
    void bind(LiveEmulator emulator) {
        this.emulator = emulator;
    }

    ClientConfig config(String key) {
        return ClientConfig.create(b -> b.apiKey(key).baseUrl(emulator.baseUrl()));
    }

    /** A new transport of the kind under test. */
    abstract T transport(boolean deflate);

    /** Whether permessage-deflate was negotiated on {@code c}. */
    abstract boolean deflateNegotiated(Transport.Connection c);

    /** The name prefix of {@code t}'s own threads. */
    abstract String threadNamePrefix(T t);

    /** Whether a failed upgrade is also reported to the listener's onError (Jetty's does; the open future says it all). */
    boolean failedUpgradeReachesListener() {
        return false;
    }

    /** Whether the future of a close we send completes normally when the peer answers (not so on Jetty: see there). */
    boolean closeFutureCompletes() {
        return true;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesFollowTheCreditAndDeflateIsNegotiatedOnlyWhenAsked(boolean deflate) throws Exception {
        ClientConfig client = config(KEY);
        try (T t = transport(deflate)) {
            TransportRecorder rec = new TransportRecorder();
            Transport.Connection c = t.open(provider.connectRequest(client, session), WAIT, rec)
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(rec.opened).isCompletedWithValue(c);
            assertThat(deflateNegotiated(c)).isEqualTo(deflate);

            for (String frame : provider.openingFrames(client, session)) {
                c.sendText(frame);
            }
            // setupComplete is the one message a transport delivers unasked.
            assertThat(rec.next().asString()).contains("setupComplete");
            c.sendText(provider.encode(ClientMessage.ClientContent.userText("credit, one at a time")).getFirst());
            // One message per unit of credit, until the turn is complete: the reply arrives in several messages.
            StringBuilder all = new StringBuilder();
            while (!all.toString().contains("turnComplete")) {
                Thread.sleep(20); // while the credit is zero, what the emulator sent waits (and must not arrive)
                assertThat(rec.messages).isEmpty();
                rec.request(c, 1);
                all.append(rec.next().asString());
            }
            assertThat(all).contains("You said:", " credit, one", " at a time"); // the reply text, in pieces
            assertThat(rec.delivered.get()).isGreaterThan(2);
            assertThat(rec.violations).isEmpty();

            // Pongs need credit left (as on the JDK) but use none of it.
            rec.request(c, 1);
            c.sendPing().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            rec.pong.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

            // The client closes; the emulator answers with its close frame, reported once, no error.
            var closing = c.sendClose(1000, "done");
            assertThat(rec.closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)[0]).isEqualTo(1000);
            if (closeFutureCompletes()) {
                closing.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            assertThat(rec.error).isNotDone();
            assertThat(rec.violations).isEmpty();
        }
    }

    @Test
    void handshakeStatusIsReportedForTheProviderToMap() throws Exception {
        try (T t = transport(false)) {
            Transport.ConnectRequest wrongPath = new Transport.ConnectRequest(
                    java.net.URI.create("ws://127.0.0.1:" + emulator.port() + "/ws/nothing.here"),
                    java.util.Map.of("x-goog-api-key", KEY), "wrong path");
            TransportRecorder rec = new TransportRecorder();
            Throwable failure = t.open(wrongPath, WAIT, rec)
                    .handle((c, e) -> e).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(failure).isInstanceOf(Transport.HandshakeStatusException.class);
            assertThat(((Transport.HandshakeStatusException) failure).status()).isEqualTo(404);
            LiveException mapped = provider.mapConnectFailure(failure);
            assertThat(mapped.kind()).isEqualTo(LiveException.Kind.NOT_FOUND);
            assertThat(mapped.httpStatus()).isEqualTo(404);
            assertThat(rec.opened).isNotDone();
            if (!failedUpgradeReachesListener()) {
                assertThat(rec.error).isNotDone(); // no listener call at all for a connection that never opened
            }
        }
    }

    @Test
    void closingTheTransportStopsItsThreads() throws Exception {
        T t = transport(false);
        TransportRecorder rec = new TransportRecorder();
        Transport.Connection c = t.open(provider.connectRequest(config(KEY), session), WAIT, rec)
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        String prefix = threadNamePrefix(t) + "-";
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(th -> th.getName().startsWith(prefix));
        c.abort();
        t.close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(th -> th.getName().startsWith(prefix) && th.isAlive());
        t.close(); // idempotent
    }
}
