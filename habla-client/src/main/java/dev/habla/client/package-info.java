/**
 * Habla's Live API client: {@link dev.habla.client.LiveClient} opens {@link dev.habla.client.LiveSession}s described
 * by a {@link dev.habla.client.SessionConfig}; a {@link dev.habla.client.SessionListener} receives
 * {@link dev.habla.client.LiveEvent}s on the session's reader thread and exactly one terminal
 * {@link dev.habla.client.LiveEvent.Closed}; failures are typed {@link dev.habla.client.LiveException}s.
 *
 * <pre>{@code
 * try (LiveClient client = LiveClient.create(c -> c.apiKey(System.getenv("GEMINI_API_KEY")))) {
 *     SessionConfig config = SessionConfig.create(b -> b.model("gemini-2.0-flash-live-001")
 *             .responseModality(ResponseModality.TEXT));
 *     try (LiveSession session = client.connect(config, event -> {
 *         switch (event) {
 *             case LiveEvent.TextDelta t -> System.out.print(t.text());
 *             case LiveEvent.TurnComplete t -> System.out.println();
 *             case LiveEvent.Closed c -> System.out.println("closed: " + c);
 *             default -> { }
 *         }
 *     })) {
 *         session.sendText("Hello");
 *         ...
 *     }
 * }
 * }</pre>
 *
 * For conversations longer than one connection, {@link dev.habla.client.LiveClient#connectResilient} returns a
 * {@link dev.habla.client.ResilientSession} (handover on {@code goAway}, reconnect, re-seeding, stall watchdog,
 * {@link dev.habla.client.SessionMetrics}), configured by a {@link dev.habla.client.ResiliencePolicy} and timed by a
 * {@link dev.habla.time.Scheduler} (a {@code dev.habla.testing.FakeClock} in tests).
 *
 * Nothing here assumes a terminal, an audio device or a particular provider: the provider is one setting
 * ({@link dev.habla.client.ClientConfig.Builder#provider}, {@link dev.habla.client.Provider#GEMINI} by default), what
 * it accepts is {@link dev.habla.client.LiveSession#capabilities()}, and its wire lives behind
 * {@code dev.habla.client.internal.LiveProvider}.
 */
package dev.habla.client;
