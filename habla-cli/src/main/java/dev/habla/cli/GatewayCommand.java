package dev.habla.cli;

import dev.habla.emulator.LiveEmulator;
import dev.habla.gateway.Gateway;
import dev.habla.gateway.GatewayApp;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jline.utils.Signals;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code habla gateway}: runs the Live API gateway (habla-gateway) in the foreground until Ctrl-C. Upstream: the
 * real service with {@code GEMINI_API_KEY} (environment or ./.env), any Live endpoint with {@code --upstream}, else
 * the bundled emulator. Admin keys: {@code HABLA_ADMIN_KEY}, a config file, or (dev mode) one generated and printed.
 */
@Command(name = "gateway", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Run the Live API gateway until Ctrl-C: browsers and apps connect with ephemeral tokens it mints,",
            "the provider key stays here. Console at / ; tokens at POST /v1alpha/auth_tokens with an admin key.",
            "Upstream: GEMINI_API_KEY (environment or ./.env) -> Google; --upstream URL -> that endpoint;",
            "--provider openai: OPENAI_API_KEY -> OpenAI Realtime (clients still speak the Live API);",
            "neither -> the built-in emulator. Admin key: HABLA_ADMIN_KEY, else --config FILE (or ./habla-gateway.properties),",
            "else dev mode: one is generated and printed, and the console gets loopback-only tokens."})
final class GatewayCommand implements Callable<Integer> {
    static final String DEFAULT_CONFIG = "habla-gateway.properties";
    private static final String EMULATOR_KEY = "habla-local-emulator";

    private final CliContext ctx;
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Gateway running; // for tests

    @Spec
    CommandSpec spec;

    /**
     * Environment variables the command reads (each also an option, which wins). The container image and the compose
     * example set only these ({@code DeploymentFilesTest} checks it).
     */
    static final Set<String> ENV = Set.of("GEMINI_API_KEY", "HABLA_ADMIN_KEY", "HABLA_HOST", "HABLA_PORT", "HABLA_REDIS_URL",
            "HABLA_REDIS_PREFIX", "HABLA_PROVIDER_MAX_SESSIONS", "HABLA_PROVIDER_MINUTES_PER_DAY", "HABLA_QUEUE",
            "HABLA_QUEUE_TIMEOUT", "HABLA_DRAIN_TIMEOUT", "HABLA_UPSTREAM");

    @Option(names = "--host", paramLabel = "HOST",
            description = "Interface to listen on (env HABLA_HOST). Default: 127.0.0.1.")
    String host;

    @Option(names = "--port", paramLabel = "N",
            description = "TCP port; 0 picks a free one (printed) (env HABLA_PORT). Default: 8787.")
    Integer port;

    @Option(names = "--redis", paramLabel = "URL",
            description = "Cluster mode: share tokens, limits and sessions with other nodes in Redis "
                    + "(redis://[user:password@]host:port[/db], rediss:// for TLS; env HABLA_REDIS_URL).")
    String redis;

    @Option(names = "--redis-prefix", paramLabel = "PREFIX",
            description = "Prefix of the cluster's Redis keys (env HABLA_REDIS_PREFIX). Default: habla:")
    String redisPrefix;

    @Option(names = "--provider-max-sessions", paramLabel = "N",
            description = "Cluster: upstream sessions open at once on the provider key, all apps and nodes together "
                    + "(env HABLA_PROVIDER_MAX_SESSIONS). Default: 0 (no limit).")
    Integer providerMaxSessions;

    @Option(names = "--provider-minutes-per-day", paramLabel = "N",
            description = "Cluster: session minutes per UTC day on the provider key (env HABLA_PROVIDER_MINUTES_PER_DAY). Default: 0 (no limit).")
    Integer providerMinutes;

    @Option(names = "--queue", paramLabel = "N",
            description = "Cluster: connects over a limit that may wait for a slot on this node (env HABLA_QUEUE). "
                    + "Default: 0 (refused at once, 1011).")
    Integer queue;

    @Option(names = "--queue-timeout", paramLabel = "DURATION", converter = DurationText.class,
            description = "Cluster: how long a queued connect waits at most (env HABLA_QUEUE_TIMEOUT). Default: 30s.")
    Duration queueTimeout;

    @Option(names = "--drain", paramLabel = "DURATION", converter = DurationText.class,
            description = "On Ctrl-C/SIGTERM: stop accepting, tell clients to move (goAway), wait for them at most this "
                    + "long (env HABLA_DRAIN_TIMEOUT). Default: 30s with --redis, else 0.")
    Duration drain;

    @Option(names = "--upstream", paramLabel = "URL",
            description = "Any Live-compatible endpoint (base URL) instead of Google or the built-in emulator.")
    String upstream;

    @Option(names = "--provider", paramLabel = "NAME",
            description = "The upstream's provider: gemini (default) or openai (OpenAI Realtime; key from OPENAI_API_KEY). Clients speak the Live API either way.")
    String provider;

    @Option(names = "--allow-origin", paramLabel = "ORIGIN",
            description = "Also allow pages from this origin (https://app.example); repeatable. Loopback pages are allowed "
                    + "when listening on loopback.")
    List<String> origins = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Apps file (properties): app.<id>.admin-key, app.<id>.models (comma list), "
                    + "app.<id>.max-sessions, app.<id>.minutes-per-day. Default: ./" + DEFAULT_CONFIG + " if present.")
    Path config;

    @Option(names = "--resume-grace", paramLabel = "DURATION", defaultValue = "2m", converter = DurationText.class,
            description = "How long a session whose client dropped waits for it to resume. Default: ${DEFAULT-VALUE}.")
    Duration resumeGrace;

    @Option(names = {"-v", "--verbose"}, description = "Log connections, tokens and refusals (info level) to stderr.")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** --knowledge INDEX, --domain, --decline: search_knowledge as a server-side tool of every session. */
    @picocli.CommandLine.Mixin
    KnowledgeArgs knowledgeArgs;

    GatewayCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    /** Makes a running {@link #call()} return (tests; the real process stops on SIGINT or SIGTERM). */
    void stop() {
        stop.countDown();
    }

    /** The gateway while {@link #call()} runs (tests). */
    Gateway gateway() {
        return running;
    }

    /** Apps and where their keys came from. */
    record Apps(List<GatewayApp> apps, String source, boolean dev) {}

    /** The option, else the environment variable, else {@code dflt}. */
    private String setting(String option, String env, String dflt) {
        if (option != null) {
            return option;
        }
        String v = ctx.env().get(env);
        return v != null && !v.isBlank() ? v.strip() : dflt;
    }

    private int intSetting(Integer option, String env, int dflt) {
        String v = setting(option == null ? null : option.toString(), env, Integer.toString(dflt));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ParameterException(spec.commandLine(), env + " must be a number, was " + v);
        }
    }

    private Duration durationSetting(Duration option, String env, Duration dflt) {
        if (option != null) {
            return option;
        }
        String v = ctx.env().get(env);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return new DurationText().convert(v.strip());
        } catch (Exception e) {
            throw new ParameterException(spec.commandLine(), env + " must be a duration (30s, 2m), was " + v);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        String host = setting(this.host, "HABLA_HOST", "127.0.0.1");
        int port = intSetting(this.port, "HABLA_PORT", 8787);
        String upstream = setting(this.upstream, "HABLA_UPSTREAM", null);
        String redisUrl = setting(this.redis, "HABLA_REDIS_URL", null);
        URI redisUri = null;
        if (redisUrl != null) {
            try {
                redisUri = URI.create(redisUrl);
            } catch (IllegalArgumentException e) {
                redisUri = null;
            }
            if (redisUri == null || !Set.of("redis", "rediss").contains(String.valueOf(redisUri.getScheme())) || redisUri.getHost() == null) {
                throw new ParameterException(spec.commandLine(), "--redis / HABLA_REDIS_URL must be redis://host:port or rediss://host:port");
            }
        }
        String prefix = setting(redisPrefix, "HABLA_REDIS_PREFIX", "habla:");
        int keySessions = intSetting(providerMaxSessions, "HABLA_PROVIDER_MAX_SESSIONS", 0);
        int keyMinutes = intSetting(providerMinutes, "HABLA_PROVIDER_MINUTES_PER_DAY", 0);
        int queued = intSetting(queue, "HABLA_QUEUE", 0);
        Duration queueWait = durationSetting(queueTimeout, "HABLA_QUEUE_TIMEOUT", Duration.ofSeconds(30));
        Duration drainFor = durationSetting(drain, "HABLA_DRAIN_TIMEOUT", redisUri != null ? Duration.ofSeconds(30) : Duration.ZERO);
        if (keySessions < 0 || keyMinutes < 0 || queued < 0) {
            throw new ParameterException(spec.commandLine(), "limits and queue sizes must be >= 0");
        }
        if (redisUri == null && (keySessions > 0 || keyMinutes > 0 || queued > 0)) {
            throw new ParameterException(spec.commandLine(), "--provider-max-sessions, --provider-minutes-per-day and --queue need --redis");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0..65535, was " + port);
        }
        if (resumeGrace.isNegative() || resumeGrace.isZero()) {
            throw new ParameterException(spec.commandLine(), "--resume-grace must be positive");
        }
        knowledgeArgs.validate(ctx);
        ProviderArgs service = ProviderArgs.of(spec.commandLine(), provider);
        Apps apps = apps();
        String providerKey = providerKey(service);
        String var = service.keyVariable();
        LiveEmulator emulator = null;
        String upstreamUrl;
        String upstreamText;
        if (upstream != null) {
            URI u = SessionArgs.baseUrl(spec.commandLine(), upstream);
            upstreamUrl = u.toString();
            upstreamText = upstreamUrl + (providerKey == null ? " (no key)" : " (" + var + ")");
        } else if (providerKey != null) {
            upstreamUrl = null;
            upstreamText = service.openai() ? "OpenAI Realtime (OPENAI_API_KEY)" : "Google Gemini Live API (GEMINI_API_KEY)";
        } else {
            // The gateway's upstream for as long as it runs: nothing to inspect, so nothing is recorded.
            emulator = LiveEmulator.create(b -> b.port(0).maxRecordedMessages(0).maxRecordedAudio(0));
            upstreamUrl = emulator.baseUrl();
            upstreamText = "the built-in emulator at " + upstreamUrl + " (no " + var + ")"
                    + (service.openai() ? ", over OpenAI Realtime" : "");
        }
        String key = providerKey != null ? providerKey : EMULATOR_KEY;
        dev.habla.knowledge.live.Knowledge knowledge = knowledgeArgs.open(ctx, true, e -> { });
        URI cluster = redisUri;
        Gateway gw;
        try {
            gw = Gateway.create(b -> {
                if (knowledge != null) {
                    // Declared to the upstream in every session and answered here: apps never see the index.
                    b.tools(dev.habla.tools.ToolRegistry.of(knowledge.tool()));
                }
                b.host(host).port(port).resumeGrace(resumeGrace)
                        .upstream(c -> {
                            c.apiKey(key).provider(service.provider());
                            if (upstreamUrl != null) {
                                c.baseUrl(upstreamUrl);
                            }
                        });
                apps.apps().forEach(b::app);
                origins.forEach(b::allowOrigin);
                if (cluster != null) {
                    b.redis(cluster).redisPrefix(prefix).providerKeyLimits(keySessions, keyMinutes).queue(queued, queueWait);
                }
                if (apps.dev() && KeyChoice.isLoopback(URI.create("http://" + hostForUri(host) + "/"))) {
                    b.devTokens(apps.apps().getFirst().id());
                }
            });
        } catch (RuntimeException e) {
            if (emulator != null) {
                emulator.close();
            }
            knowledgeArgs.close();
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot start the gateway on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        try (KnowledgeArgs kb = knowledgeArgs; LiveEmulator emu = emulator; Gateway g = gw) {
            running = g;
            Object previousInt = null;
            Object previousTerm = null;
            if (ctx.console()) {
                previousInt = Signals.register("INT", stop::countDown);
                previousTerm = Signals.register("TERM", stop::countDown);
            }
            String base = g.baseUrl();
            ctx.out().println("Habla gateway");
            ctx.out().println("  base URL (SDK baseUrl): " + base);
            ctx.out().println("  console:                " + base + "/");
            ctx.out().println("  tokens:                 POST " + base + "/v1alpha/auth_tokens (x-goog-api-key: an admin key)");
            ctx.out().println("  Live WebSocket:         " + base.replace("http://", "ws://")
                    + "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=…");
            ctx.out().println("  metrics, health:        " + base + "/metrics  " + base + "/healthz");
            ctx.out().println("  upstream:               " + upstreamText);
            if (knowledge != null) {
                ctx.out().println("  knowledge:              search_knowledge (server-side tool) over " + ctx.display(knowledgeArgs.index)
                        + ", domain: " + knowledge.policy().description());
            }
            ctx.out().println("  apps:                   " + apps.apps().stream().map(GatewayApp::id).toList() + ", admin key " + apps.source());
            if (cluster != null) { // never the URL's user or password
                ctx.out().println("  cluster:                node " + g.nodeId() + ", Redis " + cluster.getScheme() + "://" + cluster.getHost()
                        + (cluster.getPort() > 0 ? ":" + cluster.getPort() : "") + " (keys " + prefix + "*)");
            }
            if (apps.dev()) {
                ctx.out().println("  dev admin key:          " + apps.apps().getFirst().adminKey());
                ctx.out().println("  dev mode: the console gets single-use tokens for loopback pages (POST /dev/token)");
            }
            ctx.out().flush();
            ctx.err().println("Stop with Ctrl-C.");
            try {
                stop.await();
                if (drainFor.isPositive()) {
                    ctx.err().println("Draining (at most " + DurationText.format(drainFor) + ")…");
                    int cut = g.drain(drainFor);
                    ctx.err().println("Drained; " + cut + " session(s) did not move by themselves.");
                }
            } finally {
                running = null;
                if (previousInt != null) {
                    Signals.unregister("INT", previousInt);
                }
                if (previousTerm != null) {
                    Signals.unregister("TERM", previousTerm);
                }
            }
        }
        return ExitCodes.OK;
    }

    private static String hostForUri(String h) {
        return h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    /** The upstream key: chat's and talk's rule for a key the user gave (environment, then ./.env), or null. */
    private String providerKey(ProviderArgs service) {
        KeyChoice given = KeyChoice.given(ctx, service.keyVariable());
        return given == null ? null : given.key();
    }

    Apps apps() {
        String env = ctx.env().get("HABLA_ADMIN_KEY");
        if (env != null && !env.isBlank()) {
            return new Apps(List.of(app("default", env.strip())), "from HABLA_ADMIN_KEY", false);
        }
        Path file = config != null ? ctx.resolve(config) : ctx.resolve(Path.of(DEFAULT_CONFIG));
        if (config != null || Files.isRegularFile(file)) {
            return new Apps(readConfig(file), "from " + ctx.display(file), false);
        }
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return new Apps(List.of(app("dev", "habla-dev-" + HexFormat.of().formatHex(b))), "generated (dev mode)", true);
    }

    private GatewayApp app(String id, String key) {
        try {
            return GatewayApp.of(id, key);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
        }
    }

    private List<GatewayApp> readConfig(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new CliException(ExitCodes.USAGE, "cannot read " + ctx.display(file) + ": " + e.getMessage(), e);
        }
        Set<String> ids = new TreeSet<>();
        for (String name : p.stringPropertyNames()) {
            if (!name.startsWith("app.") || name.indexOf('.', 4) < 0) {
                throw new CliException(ExitCodes.USAGE, ctx.display(file) + ": unknown setting " + name
                        + " (expected app.<id>.admin-key|models|max-sessions|minutes-per-day)");
            }
            ids.add(name.substring(4, name.indexOf('.', 4)));
        }
        List<GatewayApp> apps = new ArrayList<>();
        for (String id : ids) {
            Map<String, String> s = new java.util.HashMap<>();
            for (String name : p.stringPropertyNames()) {
                if (name.startsWith("app." + id + ".")) {
                    s.put(name.substring(("app." + id + ".").length()), p.getProperty(name).strip());
                }
            }
            for (String k : s.keySet()) {
                if (!Set.of("admin-key", "models", "max-sessions", "minutes-per-day").contains(k)) {
                    throw new CliException(ExitCodes.USAGE, ctx.display(file) + ": unknown setting app." + id + "." + k);
                }
            }
            String key = s.get("admin-key");
            if (key == null || key.isBlank()) {
                throw new CliException(ExitCodes.USAGE, ctx.display(file) + ": app." + id + ".admin-key is missing");
            }
            Set<String> models = new LinkedHashSet<>();
            for (String m : s.getOrDefault("models", "").split(",")) {
                if (!m.isBlank()) {
                    models.add(m.strip());
                }
            }
            try {
                apps.add(new GatewayApp(id, key, models, number(file, s, id, "max-sessions"), number(file, s, id, "minutes-per-day")));
            } catch (IllegalArgumentException e) {
                throw new CliException(ExitCodes.USAGE, ctx.display(file) + ": " + e.getMessage(), e);
            }
        }
        if (apps.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, ctx.display(file) + " defines no app (app.<id>.admin-key=…)");
        }
        return apps;
    }

    private int number(Path file, Map<String, String> s, String id, String name) {
        String v = s.get(name);
        if (v == null || v.isEmpty()) {
            return 0;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new CliException(ExitCodes.USAGE, ctx.display(file) + ": app." + id + "." + name + " is not a number: " + v);
        }
    }
}
