package dev.habla.server;

/**
 * Serves the HTTP requests a {@link LiveServer} does not take as WebSocket upgrades (REST endpoints, static assets):
 * the gateway's token API, metrics and console, the emulator's OpenAI client secrets. Given to
 * {@link LiveServer.Builder#httpService}; without one, those paths answer 404.
 *
 * <p>Threads: called on a virtual thread of the server, one per request, several at once; it may block (a store
 * lookup, a Redis round trip).
 */
@FunctionalInterface
public interface HttpService {
    /**
     * Answers one request; null answers 404. A throw answers 500 with no detail (the exception is logged once, without
     * the query or headers).
     */
    HttpReply handle(HttpCall call) throws Exception;
}
