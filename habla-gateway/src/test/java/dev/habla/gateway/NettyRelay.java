package dev.habla.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code netty-ws}, a reference path of {@link GatewayBenchmark}: Netty's WebSocket server and client codecs on its
 * native epoll transport (edge-triggered, one event loop per core), forwarding each frame as it is. A relayed
 * connection's upstream runs on the same event loop as the client's connection, so a frame crosses no thread (unless
 * {@code -Dbench.netty.sameLoop=false}, the variant that measures what crossing costs). Also {@code netty-jetty-ws}:
 * the same server in front of Jetty's client, set up as the gateway's upstream.
 */
public final class NettyRelay { // public, with JettyUp: Jetty binds listener methods through method handles
    private static final int MAX_MESSAGE_BYTES = 16 << 20;
    /** {@code -Dbench.netty.sameLoop=false}: upstreams on event loops of their own, so every frame crosses threads. */
    private static final EventLoopGroup UPSTREAM_LOOPS = Boolean.parseBoolean(System.getProperty("bench.netty.sameLoop", "true"))
            ? null : new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), EpollIoHandler.newFactory());

    private NettyRelay() {}

    static AutoCloseable start(URI httpUpstream, String path, int[] port) throws InterruptedException {
        URI upstream = URI.create("ws://" + httpUpstream.getHost() + ":" + httpUpstream.getPort() + path);
        return serve(path, port, () -> new Down(upstream), () -> { });
    }

    /** {@code netty-jetty-ws}: Netty's server in front of Jetty's client, as the gateway's upstream sets it up. */
    static AutoCloseable startJettyUpstream(URI httpUpstream, String path, int[] port) throws Exception {
        URI upstream = URI.create("ws://" + httpUpstream.getHost() + ":" + httpUpstream.getPort() + path);
        org.eclipse.jetty.websocket.client.WebSocketClient client = WsRelays.upstreamClient();
        return serve(path, port, () -> new JettyUpstreamDown(client, upstream), client::stop);
    }

    private static AutoCloseable serve(String path, int[] port, java.util.function.Supplier<ChannelHandler> last, AutoCloseable after)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath(path).checkStartsWith(true)
                                        .maxFramePayloadLength(MAX_MESSAGE_BYTES).build()),
                                last.get());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        port[0] = ((InetSocketAddress) server.localAddress()).getPort();
        return () -> {
            server.close().sync();
            group.shutdownGracefully().sync();
            after.close();
        };
    }

    /**
     * The client's connection of {@code netty-jetty-ws}: reads held until Jetty's client has connected upstream; text
     * frames up through Jetty (in order: Jetty's session queues them), the upstream's binary frames down, each
     * crossing from Jetty's thread to the connection's event loop.
     */
    private static final class JettyUpstreamDown extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final org.eclipse.jetty.websocket.client.WebSocketClient client;
        private final URI upstream;
        private volatile org.eclipse.jetty.websocket.api.Session up;

        JettyUpstreamDown(org.eclipse.jetty.websocket.client.WebSocketClient client, URI upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof WebSocketServerProtocolHandler.HandshakeComplete)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            Channel down = ctx.channel();
            down.config().setAutoRead(false);
            try {
                client.connect(new JettyUp(down), upstream).whenComplete((s, e) -> {
                    if (e != null) {
                        System.err.println("netty-jetty relay: upstream: " + e);
                        down.close();
                    } else {
                        up = s;
                        down.config().setAutoRead(true);
                    }
                });
            } catch (IOException e) {
                System.err.println("netty-jetty relay: upstream: " + e);
                down.close();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof io.netty.handler.codec.http.websocketx.TextWebSocketFrame t) {
                up.sendText(t.text(), org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            org.eclipse.jetty.websocket.api.Session u = up;
            if (u != null) {
                u.close(1000, "", org.eclipse.jetty.websocket.api.Callback.NOOP);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Jetty's listener of a {@code netty-jetty-ws} upstream: binary frames down, the next demanded once written. */
    public static final class JettyUp implements org.eclipse.jetty.websocket.api.Session.Listener {
        private final Channel down;
        private org.eclipse.jetty.websocket.api.Session session;

        JettyUp(Channel down) {
            this.down = down;
        }

        @Override
        public void onWebSocketOpen(org.eclipse.jetty.websocket.api.Session s) {
            session = s;
            s.demand();
        }

        @Override
        public void onWebSocketBinary(java.nio.ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            down.writeAndFlush(new io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame(io.netty.buffer.Unpooled.copiedBuffer(payload)));
            callback.succeed();
            session.demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            down.close();
        }
    }

    /** Connects Netty's WebSocket client to {@code target} on {@code loops}, {@code last} at the end of its pipeline. */
    private static ChannelFuture connect(EventLoopGroup loops, URI target, ChannelHandler last) {
        return new Bootstrap().group(loops).channel(EpollSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(target).maxFramePayloadLength(MAX_MESSAGE_BYTES).build()),
                                last);
                    }
                })
                .connect(target.getHost(), target.getPort());
    }

    /** The client's connection: reads held until the upstream's handshake is done, then every frame goes up. */
    private static final class Down extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final URI upstream;
        private Channel up;

        Down(URI upstream) {
            this.upstream = upstream;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                Channel down = ctx.channel();
                down.config().setAutoRead(false);
                up = connect(UPSTREAM_LOOPS == null ? down.eventLoop() : UPSTREAM_LOOPS, upstream, new Up(down))
                        .addListener((ChannelFutureListener) f -> {
                            if (!f.isSuccess()) {
                                System.err.println("netty relay: upstream: " + f.cause());
                                down.close();
                            }
                        }).channel();
                up.closeFuture().addListener(f -> down.close());
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            up.writeAndFlush(frame.retain()); // the client codec masks it
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (up != null) {
                up.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The upstream's connection: once its handshake is done the client's reads resume; frames go down as they are. */
    private static final class Up extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final Channel down;

        Up(Channel down) {
            this.down = down;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                down.config().setAutoRead(true);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            down.writeAndFlush(frame.retain());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Netty's client alone, for a relay whose server side is another library's: its own event loops; {@link #open}
     * returns once the upstream's handshake is done; each binary frame's content goes to {@code down} (which releases it).
     */
    static final class Upstreams implements AutoCloseable {
        private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                EpollIoHandler.newFactory());

        Channel open(URI target, Consumer<ByteBuf> down, Runnable closed) {
            CompletableFuture<Channel> ready = new CompletableFuture<>();
            connect(group, target, new SimpleChannelInboundHandler<WebSocketFrame>() {
                @Override
                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                    if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                        ready.complete(ctx.channel());
                    }
                    super.userEventTriggered(ctx, evt);
                }

                @Override
                protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
                    down.accept(frame.content().retain());
                }

                @Override
                public void channelInactive(ChannelHandlerContext ctx) {
                    ready.completeExceptionally(new IOException("closed"));
                    closed.run();
                }
            });
            try {
                return ready.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("netty upstream: " + e);
                return null;
            }
        }

        @Override
        public void close() throws InterruptedException {
            group.shutdownGracefully().sync();
        }
    }
}
