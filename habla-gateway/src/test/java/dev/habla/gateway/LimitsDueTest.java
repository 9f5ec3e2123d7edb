package dev.habla.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.habla.client.LiveClient;
import dev.habla.client.LiveEvent;
import dev.habla.client.LiveException;
import dev.habla.client.LiveSession;
import dev.habla.client.SessionConfig;
import dev.habla.protocol.ResponseModality;
import dev.habla.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Limits that fall due while a session runs end it at that moment, on the gateway's clock (a {@link FakeClock} here),
 * with no message from the client to notice them: a token's {@code expireTime}, its revocation, and an app's minutes
 * per day. {@code newSessionExpireTime} never ends a running session.
 */
@Timeout(60)
class LimitsDueTest {
    static final Duration T = Duration.ofSeconds(15);
    static final String TIMED_KEY = "admin-key-timed-0123456789-SECRET";
    FakeClock clock;
    Fixture f;

    @BeforeEach
    void start() {
        clock = new FakeClock(Instant.now());
        // "timed": 1 session minute per UTC day, no concurrency limit.
        f = new Fixture(e -> { }, g -> g.clock(clock).app(new GatewayApp("timed", TIMED_KEY, Set.of(), 0, 1)));
    }

    @AfterEach
    void stop() {
        f.close();
    }

    static SessionConfig text() {
        return SessionConfig.create(b -> b.model(Fixture.MODEL).responseModality(ResponseModality.TEXT));
    }

    static LiveEvent.Closed closed(Events ev) throws InterruptedException {
        List<LiveEvent> got = ev.untilAny(e -> e instanceof LiveEvent.Closed, T);
        return (LiveEvent.Closed) got.get(got.size() - 1);
    }

    LiveClient adminClient(String key) {
        return LiveClient.create(c -> c.apiKey(key).baseUrl(f.gateway.baseUrl()));
    }

    @Test
    void tokenExpiryEndsTheRunningSessionAtExpireTimeNotAtNewSessionExpireTime() throws Exception {
        String token = f.mint("{\"uses\":0}"); // newSessionExpireTime +60 s, expireTime +30 min
        Events ev = new Events();
        try (LiveClient client = f.tokenClient(token); LiveSession s = client.connect(text(), ev)) {
            clock.advance(Duration.ofSeconds(61)); // past newSessionExpireTime: only new sessions are refused
            s.sendText("still here");
            assertThat(ev.reply(T)).isEqualTo("You said: still here");
            clock.advance(Duration.ofMinutes(30).minusSeconds(62)); // one second before expireTime
            s.sendText("almost");
            assertThat(ev.reply(T)).isEqualTo("You said: almost");
            clock.advance(Duration.ofSeconds(1)); // expireTime: the session ends now, with nothing sent
            LiveEvent.Closed c = closed(ev);
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("Ephemeral token expired.");
        }
        assertThat(f.gateway.usage("shop").activeSessions()).isZero();
    }

    @Test
    void revocationEndsTheRunningSessionAtOnce() throws Exception {
        String token = f.mint("{\"uses\":0}");
        Events ev = new Events();
        Events other = new Events();
        try (LiveClient client = f.tokenClient(token); LiveSession s = client.connect(text(), ev);
             LiveClient admin = adminClient(Fixture.ADMIN_KEY); LiveSession bystander = admin.connect(text(), other)) {
            s.sendText("before");
            assertThat(ev.reply(T)).isEqualTo("You said: before");
            String id = token.substring("auth_tokens/".length());
            assertThat(f.request("DELETE", "/v1alpha/auth_tokens/" + id, Fixture.ADMIN_KEY, null).status()).isEqualTo(200);
            LiveEvent.Closed c = closed(ev); // no message needed for the gateway to notice
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).isEqualTo("Ephemeral token was revoked.");
            bystander.sendText("unaffected");
            assertThat(other.reply(T)).as("a session of another token goes on").isEqualTo("You said: unaffected");
        }
    }

    @Test
    void anAppsMinutesEndItsSessionsWhenTheyRunOut() throws Exception {
        Events a = new Events();
        Events b = new Events();
        Events shop = new Events();
        try (LiveClient timed = adminClient(TIMED_KEY); LiveClient other = adminClient(Fixture.ADMIN_KEY);
             LiveSession s1 = timed.connect(text(), a); LiveSession s2 = timed.connect(text(), b);
             LiveSession s3 = other.connect(text(), shop)) {
            // Two open sessions use the app's one minute together: it runs out 30 s from now.
            clock.advance(Duration.ofSeconds(29));
            s1.sendText("one");
            assertThat(a.reply(T)).isEqualTo("You said: one");
            s2.sendText("two");
            assertThat(b.reply(T)).isEqualTo("You said: two");
            clock.advance(Duration.ofSeconds(1));
            for (Events ev : List.of(a, b)) {
                LiveEvent.Closed c = closed(ev);
                assertThat(c.code()).isEqualTo(1011);
                assertThat(c.reason()).isEqualTo("You exceeded your current quota: session minutes per day for this app.");
            }
            s3.sendText("shop");
            assertThat(shop.reply(T)).as("another app's session goes on").isEqualTo("You said: shop");
            assertThatThrownBy(() -> timed.connect(text(), new Events())).isInstanceOfSatisfying(LiveException.class, e -> {
                assertThat(e.closeCode()).isEqualTo(1011);
                assertThat(e.closeReason()).isEqualTo("You exceeded your current quota: session minutes per day for this app.");
            });
        }
        assertThat(f.gateway.usage("timed").sessionSecondsToday()).isEqualTo(60.0);
    }

    @Test
    void aSessionThatEndsEarlierGivesItsShareBack() throws Exception {
        Events a = new Events();
        Events b = new Events();
        try (LiveClient timed = adminClient(TIMED_KEY); LiveSession s1 = timed.connect(text(), a)) {
            try (LiveSession s2 = timed.connect(text(), b)) {
                clock.advance(Duration.ofSeconds(10)); // 20 s used, 40 s left
                s2.close();
                awaitActive("timed", 1);
            }
            // One session left: the remaining 40 s are all its own.
            clock.advance(Duration.ofSeconds(39));
            s1.sendText("still");
            assertThat(a.reply(T)).isEqualTo("You said: still");
            clock.advance(Duration.ofSeconds(1));
            LiveEvent.Closed c = closed(a);
            assertThat(c.code()).isEqualTo(1011);
        }
    }

    private void awaitActive(String app, int n) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (f.gateway.usage(app).activeSessions() != n) {
            assertThat(System.nanoTime()).as("active sessions of %s reach %d", app, n).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
