package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.habla.protocol.FunctionCall;
import dev.habla.protocol.FunctionDeclaration.Behavior;
import dev.habla.protocol.FunctionResponse;
import dev.habla.protocol.FunctionResponse.Scheduling;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Binding the model's JSON to Java values, every validation error, and the response each outcome produces. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class ArgumentBindingTest {
    static final ObjectMapper JSON = new ObjectMapper();

    enum Unit { CELSIUS, FAHRENHEIT }

    record WeatherArgs(@Param(description = "City name") String city, @Param(required = false) Unit unit) {}

    record Point(double lat, double lon) {}

    record Everything(int count, long big, double ratio, boolean flag, char letter, List<String> tags, Set<Unit> units,
            int[] numbers, List<Point> route, Point origin, Map<String, Integer> scores, Optional<String> note, OptionalInt limit,
            LocalDate day, JsonNode extra) {}

    record Positive(int n) {
        Positive {
            if (n <= 0) {
                throw new IllegalArgumentException("n must be positive");
            }
        }
    }

    static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Runs one call through a registry and returns the response body as JSON text. */
    static String call(FunctionTool tool, String args) throws Exception {
        FunctionResponse r = ToolRegistry.of(tool).handle(new FunctionCall("id-1", tool.name(), args == null ? null : json(args)))
                .get(5, TimeUnit.SECONDS);
        assertThat(r.id()).isEqualTo("id-1");
        assertThat(r.name()).isEqualTo(tool.name());
        return r.response().toString();
    }

    static final AtomicReference<Object> SEEN = new AtomicReference<>();

    static <A> FunctionTool capture(Class<A> type) {
        return Tools.function("f", "Captures", type, a -> {
            SEEN.set(a);
            return "ok";
        });
    }

    @Test
    void bindsEveryKindOfValue() throws Exception {
        String out = call(capture(Everything.class), """
                {"count": 3.0, "big": 9007199254740993, "ratio": 1, "flag": true, "letter": "x",
                 "tags": ["a", "b"], "units": ["CELSIUS", "celsius", "FAHRENHEIT"], "numbers": [1, 2, 3],
                 "route": [{"lat": 1.5, "lon": 2}], "origin": {"lat": 0, "lon": 0}, "scores": {"ann": 3},
                 "limit": 7, "day": "2026-05-01", "extra": {"any": [1, "two"]}}""");
        assertThat(out).isEqualTo("{\"output\":\"ok\"}");
        Everything e = (Everything) SEEN.get();
        assertThat(e.count()).isEqualTo(3);
        assertThat(e.big()).isEqualTo(9007199254740993L);
        assertThat(e.ratio()).isEqualTo(1.0);
        assertThat(e.flag()).isTrue();
        assertThat(e.letter()).isEqualTo('x');
        assertThat(e.tags()).containsExactly("a", "b");
        assertThat(e.units()).containsExactly(Unit.CELSIUS, Unit.FAHRENHEIT);
        assertThat(e.numbers()).containsExactly(1, 2, 3);
        assertThat(e.route()).containsExactly(new Point(1.5, 2));
        assertThat(e.origin()).isEqualTo(new Point(0, 0));
        assertThat(e.scores()).containsEntry("ann", 3);
        assertThat(e.note()).isEmpty();
        assertThat(e.limit()).hasValue(7);
        assertThat(e.day()).isEqualTo(LocalDate.of(2026, 5, 1));
        assertThat(e.extra().toString()).isEqualTo("{\"any\":[1,\"two\"]}");
    }

    @Test
    void optionalArgumentsMayBeMissingOrNull() throws Exception {
        assertThat(call(capture(WeatherArgs.class), "{\"city\": \"Paris\"}")).isEqualTo("{\"output\":\"ok\"}");
        assertThat(SEEN.get()).isEqualTo(new WeatherArgs("Paris", null));
        call(capture(WeatherArgs.class), "{\"city\": \"Oslo\", \"unit\": null}");
        assertThat(SEEN.get()).isEqualTo(new WeatherArgs("Oslo", null));
        call(capture(WeatherArgs.class), "{\"city\": \"Rome\", \"unit\": \"fahrenheit\"}");
        assertThat(SEEN.get()).isEqualTo(new WeatherArgs("Rome", Unit.FAHRENHEIT));
    }

    @Test
    void missingRequiredArgument() throws Exception {
        assertThat(call(capture(WeatherArgs.class), "{}"))
                .isEqualTo("{\"error\":\"invalid arguments: missing required argument 'city'\"}");
        assertThat(call(capture(WeatherArgs.class), null))
                .isEqualTo("{\"error\":\"invalid arguments: missing required argument 'city'\"}");
        assertThat(call(capture(WeatherArgs.class), "{\"city\": null}")).contains("missing required argument 'city' (got null)");
    }

    @Test
    void wrongTypesNameTheArgument() throws Exception {
        FunctionTool t = capture(Everything.class);
        String base = "\"big\":1,\"ratio\":1,\"flag\":true,\"letter\":\"x\",\"tags\":[],\"units\":[],\"numbers\":[],\"route\":[],"
                + "\"origin\":{\"lat\":0,\"lon\":0},\"scores\":{},\"day\":\"2026-01-01\",\"extra\":{}";
        assertThat(call(t, "{\"count\":\"three\"," + base + "}"))
                .contains("argument 'count' must be an integer, got string \\\"three\\\"");
        assertThat(call(t, "{\"count\":2.5," + base + "}")).contains("argument 'count' must be an integer, got number 2.5");
        assertThat(call(t, "{\"count\":1e12," + base + "}")).contains("argument 'count' is out of range");
        assertThat(call(t, "{\"count\":1," + base.replace("\"flag\":true", "\"flag\":\"yes\"") + "}"))
                .contains("argument 'flag' must be a boolean, got string");
        assertThat(call(t, "{\"count\":1," + base.replace("\"tags\":[]", "\"tags\":\"a,b\"") + "}"))
                .contains("argument 'tags' must be an array, got string");
        assertThat(call(t, "{\"count\":1," + base.replace("\"tags\":[]", "\"tags\":[\"a\",2]") + "}"))
                .contains("argument 'tags[1]' must be a string, got number 2");
        assertThat(call(t, "{\"count\":1," + base.replace("\"route\":[]", "\"route\":[{\"lat\":\"north\",\"lon\":1}]") + "}"))
                .contains("argument 'route[0].lat' must be a number, got string");
        assertThat(call(t, "{\"count\":1," + base.replace("\"origin\":{\"lat\":0,\"lon\":0}", "\"origin\":{\"lat\":0}") + "}"))
                .contains("missing required argument 'origin.lon'");
        assertThat(call(t, "{\"count\":1," + base.replace("\"units\":[]", "\"units\":[\"KELVIN\"]") + "}"))
                .contains("argument 'units[0]' must be one of CELSIUS, FAHRENHEIT, got string \\\"KELVIN\\\"");
        assertThat(call(t, "{\"count\":1," + base.replace("\"day\":\"2026-01-01\"", "\"day\":\"tomorrow\"") + "}"))
                .contains("argument 'day' must be ISO-8601 date");
        assertThat(call(t, "{\"count\":1," + base.replace("\"letter\":\"x\"", "\"letter\":\"xy\"") + "}"))
                .contains("argument 'letter' must be a single character");
        assertThat(call(t, "{\"count\":1," + base.replace("\"scores\":{}", "\"scores\":{\"ann\":\"high\"}") + "}"))
                .contains("argument 'scores.ann' must be an integer");
        // Several problems are reported together so the model can fix them in one retry.
        assertThat(call(t, "{\"count\":\"x\"," + base.replace("\"flag\":true", "\"flag\":1") + "}"))
                .contains("argument 'count' must be an integer").contains("; argument 'flag' must be a boolean");
    }

    @Test
    void unknownArgumentsAreRefused() throws Exception {
        assertThat(call(capture(WeatherArgs.class), "{\"city\":\"Paris\",\"country\":\"FR\"}"))
                .isEqualTo("{\"error\":\"invalid arguments: unknown argument 'country' (expected city, unit)\"}");
        assertThat(call(capture(WeatherArgs.class), "{\"city\":\"Paris\",\"a\":1,\"b\":2}"))
                .contains("unknown arguments 'a', 'b'");
        assertThat(call(Tools.function("ping", "Ping", () -> "pong"), "{\"x\":1}"))
                .contains("unknown argument 'x' (this function takes no arguments)");
        assertThat(call(capture(Everything.class), "{\"origin\":{\"lat\":0,\"lon\":0,\"alt\":9}}"))
                .contains("unknown argument 'origin.alt'");
        assertThat(call(capture(WeatherArgs.class), "[1,2]")).contains("arguments must be an object, got array");
    }

    @Test
    void compactConstructorChecksBecomeErrors() throws Exception {
        assertThat(call(capture(Positive.class), "{\"n\": -1}")).isEqualTo("{\"error\":\"invalid arguments: n must be positive\"}");
    }

    static final class Methods {
        @ToolMethod(description = "Adds")
        public int add(int a, int b) {
            return a + b;
        }

        @ToolMethod(description = "Greets")
        public String greet(@Param(name = "who", required = false) String name) {
            return "hello " + (name == null ? "you" : name);
        }
    }

    @Test
    void annotatedMethodArgumentsAreBoundAndValidated() throws Exception {
        ToolRegistry r = ToolRegistry.create(b -> b.addAll(new Methods()));
        assertThat(r.handle(new FunctionCall("1", "add", json("{\"a\":2,\"b\":40}"))).get().response().toString())
                .isEqualTo("{\"output\":42}");
        assertThat(r.handle(new FunctionCall("2", "add", json("{\"a\":2}"))).get().response().toString())
                .contains("missing required argument 'b'");
        assertThat(r.handle(new FunctionCall("3", "greet", json("{}"))).get().response().toString())
                .isEqualTo("{\"output\":\"hello you\"}");
        assertThat(r.handle(new FunctionCall("4", "greet", json("{\"who\":\"Ana\"}"))).get().response().toString())
                .isEqualTo("{\"output\":\"hello Ana\"}");
    }

    record Weather(double temperature, String sky, LocalDate day) {}

    @Test
    void resultsBecomeOutputAndExceptionsBecomeErrors() throws Exception {
        assertThat(call(Tools.function("w", "W", () -> new Weather(18.5, "clear", LocalDate.of(2026, 5, 1))), null))
                .isEqualTo("{\"output\":{\"temperature\":18.5,\"sky\":\"clear\",\"day\":\"2026-05-01\"}}");
        assertThat(call(Tools.function("n", "N", () -> null), null)).isEqualTo("{\"output\":null}");
        assertThat(call(Tools.function("o", "O", () -> Optional.of(List.of(1, 2))), null)).isEqualTo("{\"output\":[1,2]}");
        assertThat(call(Tools.function("boom", "Throws", () -> {
            throw new IllegalStateException("the weather service is down");
        }), null)).isEqualTo("{\"error\":\"the weather service is down\"}");
        assertThat(call(Tools.function("npe", "Throws without message", () -> {
            throw new UnsupportedOperationException();
        }), null)).isEqualTo("{\"error\":\"UnsupportedOperationException\"}");
        assertThat(call(Tools.function("bad", "Unserialisable", () -> new Object() {
            @SuppressWarnings("unused")
            public Object getSelf() {
                return this;
            }
        }), null)).contains("could not be converted to JSON");
    }

    @Test
    void unknownFunctionIsAnErrorNotAnException() throws Exception {
        FunctionResponse r = ToolRegistry.of(Tools.function("a", "A", () -> 1)).handle(new FunctionCall("x", "nope", null))
                .get(5, TimeUnit.SECONDS);
        assertThat(r.id()).isEqualTo("x");
        assertThat(r.name()).isEqualTo("nope");
        assertThat(r.response().toString()).isEqualTo("{\"error\":\"unknown function 'nope'; available: a\"}");
    }

    @Test
    void nonBlockingResponsesCarryTheScheduling() throws Exception {
        FunctionTool t = Tools.function("bg", "Background", () -> 1).behavior(Behavior.NON_BLOCKING).scheduling(Scheduling.INTERRUPT);
        FunctionResponse r = ToolRegistry.of(t).handle(new FunctionCall("1", "bg", null)).get(5, TimeUnit.SECONDS);
        assertThat(r.scheduling()).isEqualTo(Scheduling.INTERRUPT);
        assertThat(r.willContinue()).isFalse();
        FunctionResponse blocking = ToolRegistry.of(Tools.function("fg", "Fg", () -> 1)).handle(new FunctionCall("2", "fg", null))
                .get(5, TimeUnit.SECONDS);
        assertThat(blocking.scheduling()).isNull();
    }

    @Test
    void timeoutInterruptsTheFunctionAndAnswersAnError() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        FunctionTool slow = Tools.function("slow", "Never returns", () -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return "unreachable";
        }).timeout(Duration.ofMillis(200));
        long start = System.nanoTime();
        FunctionResponse r = ToolRegistry.of(slow).handle(new FunctionCall("1", "slow", null)).get(5, TimeUnit.SECONDS);
        assertThat(r.response().toString()).isEqualTo("{\"error\":\"timed out after 200 ms\"}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void registryDefaultTimeoutApplies() throws Exception {
        FunctionTool slow = Tools.function("slow", "Sleeps", () -> {
            new CountDownLatch(1).await();
            return 1;
        });
        ToolRegistry r = ToolRegistry.create(b -> b.add(slow).defaultTimeout(Duration.ofMillis(100)));
        ToolInvocation inv = r.start(new FunctionCall("1", "slow", null));
        ToolOutcome o = inv.outcome().get(5, TimeUnit.SECONDS);
        assertThat(o).isInstanceOf(ToolOutcome.TimedOut.class);
        assertThat(((ToolOutcome.TimedOut) o).timeout()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void cancellingInterruptsAndDiscardsTheResult() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        FunctionTool t = Tools.function("wait", "Waits", () -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                return "late result";
            }
            return "never";
        });
        CompletableFuture<FunctionResponse> f = ToolRegistry.of(t).handle(new FunctionCall("1", "wait", null));
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f.cancel(true)).isTrue();
        assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(f).isCancelled();

        ToolInvocation inv = ToolRegistry.of(t).start(new FunctionCall("2", "wait", null));
        assertThat(inv.cancel("test")).isTrue();
        assertThat(inv.outcome().get(5, TimeUnit.SECONDS)).isInstanceOf(ToolOutcome.Cancelled.class);
        assertThat(inv.response(inv.outcome().get())).isNull();
        assertThat(inv.cancel("again")).isFalse();
    }

    @Test
    void rawFunctionsGetTheJsonAsIs() throws Exception {
        dev.habla.protocol.Schema schema = dev.habla.protocol.Schema.object(
                Map.of("q", dev.habla.protocol.Schema.of(dev.habla.protocol.Schema.Type.STRING, "query")), List.of("q"));
        FunctionTool raw = Tools.rawFunction("search", "Searches", schema, args -> args.path("q").asText("none").toUpperCase());
        assertThat(raw.parameters()).isSameAs(schema);
        assertThat(call(raw, "{\"q\":\"java\",\"extra\":1}")).isEqualTo("{\"output\":\"JAVA\"}");
        assertThat(call(raw, null)).isEqualTo("{\"output\":\"NONE\"}");
        assertThat(call(raw, "[1]")).contains("arguments must be an object");
    }
}
