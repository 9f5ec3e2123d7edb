package dev.habla.emulator;

import dev.habla.testing.FakeClock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that runs a {@link LiveEmulator} on a free loopback port for each test (or once per test class),
 * optionally on a {@link FakeClock}, and hands the test the emulator (its inspection and fault API), the fake clock
 * and a client configured for it, closing them all afterwards.
 *
 * <pre>{@code
 * @RegisterExtension
 * static EmulatorExtension emulator = EmulatorExtension.create(x -> x
 *         .emulator(b -> b.apiKey("test-key"))
 *         .client(emu -> LiveClient.create(c -> c.apiKey("test-key").baseUrl(emu.baseUrl()))));
 *
 * @Test
 * void answers(LiveClient client, LiveEmulator emu) { ... }
 * }</pre>
 *
 * <p>{@code @ExtendWith(EmulatorExtension.class)} gives the defaults: a fresh emulator per test, any key accepted,
 * the system clock, no client. The client is built by the test's own factory because this module does not depend on
 * habla-client (habla-client's tests depend on the emulator); anything {@link AutoCloseable} works.
 *
 * <p>Test parameters of type {@link LiveEmulator}, {@link FakeClock} (with {@link Builder#fakeClock()}) and of the
 * client's type are resolved. The same values are available from the field: {@link #emulator()}, {@link #clock()},
 * {@link #client(Class)}. Per class, the extension must be registered in a {@code static} field (JUnit calls class
 * callbacks only there). Needs {@code junit-jupiter-api} and, for a fake clock, {@code habla-testing} on the test
 * class path. Not for tests that run concurrently within one class: the values belong to the extension instance.
 */
public final class EmulatorExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private final boolean perClass;
    private final boolean fakeClock;
    private final Consumer<LiveEmulator.Builder> emulatorSpec;
    private final Function<LiveEmulator, ? extends AutoCloseable> clientFactory;

    // Set in beforeAll/beforeEach on JUnit's thread and read by the test on the same thread.
    private LiveEmulator emulator;
    private FakeClock clock;
    private AutoCloseable client;
    private final List<AutoCloseable> managed = new ArrayList<>();

    /** The defaults, for {@code @ExtendWith(EmulatorExtension.class)}: per test, any key, system clock, no client. */
    public EmulatorExtension() {
        this(new Builder());
    }

    private EmulatorExtension(Builder b) {
        this.perClass = b.perClass;
        this.fakeClock = b.fakeClock;
        this.emulatorSpec = b.emulatorSpec;
        this.clientFactory = b.clientFactory;
    }

    /** An extension configured by {@code spec}; register it in a {@code @RegisterExtension} field. */
    public static EmulatorExtension create(Consumer<Builder> spec) {
        Builder b = new Builder();
        spec.accept(b);
        return new EmulatorExtension(b);
    }

    /** The running emulator; IllegalStateException outside a test. */
    public LiveEmulator emulator() {
        if (emulator == null) {
            throw new IllegalStateException("No emulator is running (outside a test, or the extension is not registered)");
        }
        return emulator;
    }

    /** The fake clock the emulator runs on; IllegalStateException without {@link Builder#fakeClock()}. */
    public FakeClock clock() {
        if (!fakeClock) {
            throw new IllegalStateException("This EmulatorExtension runs on the system clock: configure fakeClock()");
        }
        emulator();
        return clock;
    }

    /** The client built by {@link Builder#client(Function)}; IllegalStateException without one. */
    public <C> C client(Class<C> type) {
        emulator();
        if (client == null) {
            throw new IllegalStateException("This EmulatorExtension builds no client: configure client(...)");
        }
        return type.cast(client);
    }

    /**
     * Closes {@code resource} when the emulator is stopped (after the test, or after the class per class), before the
     * client and the emulator, newest first. Returns it.
     */
    public <T extends AutoCloseable> T closeAfterwards(T resource) {
        managed.add(Objects.requireNonNull(resource, "resource"));
        return resource;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (perClass) {
            start();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            start();
        } else if (emulator == null) {
            throw new ExtensionConfigurationException(
                    "EmulatorExtension perClass() must be registered in a static field");
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass) {
            stop();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        // fakeClock first: FakeClock.class is only resolved when asked for, so habla-testing may be absent otherwise.
        return type == LiveEmulator.class
                || (fakeClock && type == FakeClock.class)
                || (clientFactory != null && client != null && type != Object.class && type.isInstance(client));
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        if (type == LiveEmulator.class) {
            return emulator();
        }
        if (fakeClock && type == FakeClock.class) {
            return clock();
        }
        return client(type);
    }

    private void start() {
        clock = fakeClock ? new FakeClock() : null;
        emulator = LiveEmulator.create(b -> {
            if (clock != null) {
                b.clock(clock);
            }
            emulatorSpec.accept(b);
        });
        if (clientFactory != null) {
            try {
                client = Objects.requireNonNull(clientFactory.apply(emulator), "the client factory returned null");
            } catch (RuntimeException | Error e) {
                emulator.close();
                emulator = null;
                throw e;
            }
        }
    }

    /** Closes the managed resources, the client, then the emulator; the first failure is thrown, the rest suppressed. */
    private void stop() throws Exception {
        List<AutoCloseable> order = new ArrayList<>(managed.reversed());
        managed.clear();
        if (client != null) {
            order.add(client);
        }
        if (emulator != null) {
            order.add(emulator);
        }
        client = null;
        emulator = null;
        Exception failure = null;
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Configures an {@link EmulatorExtension}. Not thread-safe. */
    public static final class Builder {
        private boolean perClass;
        private boolean fakeClock;
        private Consumer<LiveEmulator.Builder> emulatorSpec = b -> {};
        private Function<LiveEmulator, ? extends AutoCloseable> clientFactory;

        private Builder() {}

        /** One emulator (and client) for the whole test class instead of one per test; needs a static field. */
        public Builder perClass() {
            this.perClass = true;
            return this;
        }

        /**
         * Runs the emulator on a fresh {@link FakeClock} (one per emulator), resolved as a test parameter and
         * returned by {@link #clock()}; hand the same clock to the client's resilience policy or the voice loop.
         */
        public Builder fakeClock() {
            this.fakeClock = true;
            return this;
        }

        /** Emulator settings, applied after the fake clock (default: a free port, any key). */
        public Builder emulator(Consumer<LiveEmulator.Builder> spec) {
            this.emulatorSpec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /**
         * Builds the client handed to tests from the started emulator (typically
         * {@code emu -> LiveClient.create(c -> c.apiKey(KEY).baseUrl(emu.baseUrl()))}); closed before the emulator.
         */
        public Builder client(Function<LiveEmulator, ? extends AutoCloseable> factory) {
            this.clientFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }
    }
}
