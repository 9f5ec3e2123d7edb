/**
 * The server side of the Live API wire ({@code BidiGenerateContent} over WebSocket), for the emulator and anything else
 * that serves the wire (a gateway): {@link dev.habla.server.LiveServer} upgrades the Live paths
 * ({@link dev.habla.server.LiveEndpoint}), asks a pluggable {@link dev.habla.server.LiveAuthenticator}, decodes client
 * frames strictly (rejects close 1007 with a Google-style reason, {@link dev.habla.server.CloseReasons}), and gives each
 * connection one {@link dev.habla.server.LiveHandler} and a {@link dev.habla.server.LiveConnection} to answer on (one
 * bounded writer per socket). Machinery sits in {@code dev.habla.server.internal}.
 */
package dev.habla.server;
