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

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Interface to listen on. Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8787",
            description = "TCP port; 0 picks a free one (printed). Default: ${DEFAULT-VALUE}.")
    int port;

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

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be 0..65535, was " + port);
        }
        if (resumeGrace.isNegative() || resumeGrace.isZero()) {
            throw new ParameterException(spec.commandLine(), "--resume-grace must be positive");
        }
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
        Gateway gw;
        try {
            gw = Gateway.create(b -> {
                b.host(host).port(port).resumeGrace(resumeGrace)
                        .upstream(c -> {
                            c.apiKey(key).provider(service.provider());
                            if (upstreamUrl != null) {
                                c.baseUrl(upstreamUrl);
                            }
                        });
                apps.apps().forEach(b::app);
                origins.forEach(b::allowOrigin);
                if (apps.dev() && KeyChoice.isLoopback(URI.create("http://" + hostForUri(host) + "/"))) {
                    b.devTokens(apps.apps().getFirst().id());
                }
            });
        } catch (RuntimeException e) {
            if (emulator != null) {
                emulator.close();
            }
            throw new CliException(ExitCodes.UNAVAILABLE, "cannot start the gateway on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        try (LiveEmulator emu = emulator; Gateway g = gw) {
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
            ctx.out().println("  apps:                   " + apps.apps().stream().map(GatewayApp::id).toList() + ", admin key " + apps.source());
            if (apps.dev()) {
                ctx.out().println("  dev admin key:          " + apps.apps().getFirst().adminKey());
                ctx.out().println("  dev mode: the console gets single-use tokens for loopback pages (POST /dev/token)");
            }
            ctx.out().flush();
            ctx.err().println("Stop with Ctrl-C.");
            try {
                stop.await();
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
