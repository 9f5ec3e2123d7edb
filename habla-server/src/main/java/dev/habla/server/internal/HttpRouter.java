package dev.habla.server.internal;

import dev.habla.protocol.CloseCodes;
import dev.habla.server.AuthResult;
import dev.habla.server.HttpCall;
import dev.habla.server.HttpReply;
import dev.habla.server.LiveEndpoint;
import dev.habla.server.SocketRequest;
import dev.habla.server.SocketRoute;
import dev.habla.server.UpgradeRequest;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every accepted socket, for its HTTP requests: a {@link SocketRoute}'s upgrade, a Live path's
 * upgrade (authenticated, then accepted even when refused: the refusal is a close code the client can read), the
 * {@link dev.habla.server.HttpService} for every other path, else 404; a Live path without an upgrade is 400. An
 * upgraded socket's pipeline ends in {@link NettyFrames} instead.
 *
 * <p>Threads: Netty calls it on the socket's event loop. The authenticator and the HTTP service may block, so they run
 * on a virtual thread while the socket is not read (one request at a time per socket, answers in order); the upgrade
 * itself happens back on the event loop.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRouter.class);

    private final ServerCore core;

    HttpRouter(ServerCore core) {
        super(false); // requests are released where they are finished with (some on another thread)
        this.core = core;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (!req.decoderResult().isSuccess()) {
            req.release();
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "Bad request\n", false);
            return;
        }
        String uri = req.uri();
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String query = q < 0 ? null : uri.substring(q + 1);
        boolean upgrade = "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
        for (SocketRoute route : core.routes) {
            if (upgrade && route.matches(path)) {
                upgradeSocket(ctx, req, route, path, query);
                return;
            }
        }
        LiveEndpoint ep = LiveEndpoint.parse(path);
        if (ep == null && core.http != null) {
            serveHttp(ctx, req, path, query);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (ep == null || ep.kind() == LiveEndpoint.Kind.VERTEX && !core.vertex) {
            req.release();
            reply(ctx, HttpResponseStatus.NOT_FOUND, "Not found\n", keepAlive);
        } else if (!upgrade) {
            req.release();
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "WebSocket upgrade required\n", keepAlive);
        } else {
            upgradeLive(ctx, req, ep, query); // the handshake releases it
        }
    }

    /** A Live upgrade: the authenticator on a virtual thread (socket not read meanwhile), the handshake back on the loop. */
    private void upgradeLive(ChannelHandlerContext ctx, FullHttpRequest req, LiveEndpoint ep, String query) {
        Channel ch = ctx.channel();
        ch.config().setAutoRead(false);
        String id = core.nextId();
        UpgradeRequest ur = new UpgradeRequest(ep, query, headers(req), remote(ch));
        Thread.ofVirtual().name("habla-server-auth-" + id).start(() -> {
            AuthResult auth = core.authenticate(ur);
            ch.eventLoop().execute(() -> handshake(ctx, req, new WsConnection(core, id, ep, auth), null));
        });
    }

    /** A route's upgrade: the route picks the subprotocol from those offered; its handler sees the request. */
    private void upgradeSocket(ChannelHandlerContext ctx, FullHttpRequest req, SocketRoute route, String path, String query) {
        String header = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        List<String> offered = new ArrayList<>();
        if (header != null) {
            Arrays.stream(header.split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(offered::add);
        }
        String chosen = offered.isEmpty() ? null : route.subprotocol().apply(List.copyOf(offered));
        SocketRequest sr = new SocketRequest(path, query, headers(req), offered, chosen, remote(ctx.channel()));
        handshake(ctx, req, new WsConnection(core, core.nextId(), route, sr), chosen);
    }

    /** On the event loop: the 101 answer, this handler replaced by the connection's frames, reading resumed. */
    private void handshake(ChannelHandlerContext ctx, FullHttpRequest req, WsConnection conn, String subprotocol) {
        Channel ch = ctx.channel();
        if (!ch.isActive()) {
            // The client left while its upgrade was being authenticated: nothing opens (no close would follow).
            req.release();
            return;
        }
        try {
            WebSocketDecoderConfig frames = WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(core.maxMessageBytes)
                    .expectMaskedFrames(true)
                    .allowMaskMismatch(false)
                    .allowExtensions(true) // RSV1 of permessage-deflate, when negotiated
                    .closeOnProtocolViolation(true)
                    .withUTF8Validator(false) // Inbound checks whole text messages (1007 with its reason)
                    .build();
            WebSocketServerHandshaker hs = new WebSocketServerHandshakerFactory("ws://" + req.headers().get(HttpHeaderNames.HOST)
                    + req.uri(), subprotocol, frames).newHandshaker(req);
            if (hs == null) {
                WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
                return;
            }
            hs.handshake(ch, req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    LOG.debug("Connection {}: upgrade failed: {}", conn.id(), String.valueOf(f.cause()));
                    ch.close();
                }
            });
            NettyFrames handler = new NettyFrames(conn, ch);
            ch.pipeline().replace(this, "frames", handler);
            ch.pipeline().addBefore("frames", "idle", new IdleStateHandler(0, 0, core.idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            handler.open();
        } catch (RuntimeException e) {
            // Netty's checks of the upgrade headers (no key, wrong method…): plain 400, as before the upgrade.
            LOG.debug("Connection {}: bad upgrade request: {}", conn.id(), e.toString());
            reply(ctx, HttpResponseStatus.BAD_REQUEST, "Bad WebSocket upgrade request\n", false);
        } finally {
            req.release();
            ch.config().setAutoRead(true);
        }
    }

    /** A request for the HTTP service, on a virtual thread; the socket is not read until its answer is written. */
    private void serveHttp(ChannelHandlerContext ctx, FullHttpRequest req, String path, String query) {
        Channel ch = ctx.channel();
        ch.config().setAutoRead(false);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpCall call = new HttpCall(req.method().name(), path, query, headers(req), remote(ch),
                () -> new ByteBufInputStream(req.content().retainedDuplicate(), true));
        Thread.ofVirtual().name("habla-server-http").start(() -> {
            HttpReply reply;
            try {
                reply = core.http.handle(call);
            } catch (Exception e) {
                LOG.warn("HTTP {} {} failed", call.method(), call.path().replaceAll("[^A-Za-z0-9/._-]", "?"), e);
                reply = HttpReply.text(500, "text/plain; charset=utf-8", "Internal error\n");
            } finally {
                req.release();
            }
            FullHttpResponse resp;
            if (reply == null) {
                resp = response(HttpResponseStatus.NOT_FOUND, "Not found\n");
            } else {
                resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                        Unpooled.wrappedBuffer(reply.body()));
                for (Map.Entry<String, String> h : reply.headers().entrySet()) {
                    resp.headers().set(h.getKey(), h.getValue());
                }
                HttpUtil.setContentLength(resp, reply.body().length);
            }
            write(ch, resp, keepAlive);
            ch.config().setAutoRead(true);
        });
    }

    private static void reply(ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
        write(ctx.channel(), response(status, text), keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String text) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        return resp;
    }

    private static void write(Channel ch, FullHttpResponse resp, boolean keepAlive) {
        if (keepAlive) {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ch.writeAndFlush(resp);
        } else {
            resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ch.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Request headers, the first value of each, names case-insensitive. */
    private static Map<String, String> headers(FullHttpRequest req) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : req.headers()) {
            headers.putIfAbsent(h.getKey(), h.getValue());
        }
        return headers;
    }

    private static InetSocketAddress remote(Channel ch) {
        return ch.remoteAddress() instanceof InetSocketAddress a ? a : null;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection error: {}", cause.toString());
        ctx.close();
    }
}
