package dev.habla.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionDeclaration.Behavior;
import dev.habla.protocol.FunctionResponse.Scheduling;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Schema;
import dev.habla.protocol.Schema.Type;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SchemaGenerationTest {
    enum Unit { CELSIUS, FAHRENHEIT }

    record WeatherArgs(@Param(description = "City name") String city, @Param(required = false) Unit unit) {}

    record Point(@Param(description = "Latitude") double lat, double lon) {}

    record Everything(
            int count, long big, Integer boxed, double ratio, float f, boolean flag, char letter,
            List<String> tags, Set<Unit> units, int[] numbers, List<Point> route,
            Point origin, Map<String, Integer> scores, Optional<String> note, OptionalInt limit,
            @Param(name = "start_date", description = "First day") LocalDate startDate, JsonNode extra) {}

    record Empty() {}

    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target({java.lang.annotation.ElementType.TYPE_USE})
    @interface Nullable {}

    record WithNullable(String a, @Nullable String b) {}

    record Node(String name, List<Node> children) {}

    record Weird(Object anything) {}

    @Test
    void recordWithEnumAndOptionalArgument() {
        FunctionTool t = Tools.function("get_weather", "Current weather for a city", WeatherArgs.class, a -> "sunny");
        Schema p = t.parameters();
        assertThat(p.type()).isEqualTo(Type.OBJECT);
        assertThat(p.properties()).containsOnlyKeys("city", "unit");
        assertThat(List.copyOf(p.properties().keySet())).containsExactly("city", "unit");
        assertThat(p.required()).containsExactly("city");
        Schema city = p.properties().get("city");
        assertThat(city.type()).isEqualTo(Type.STRING);
        assertThat(city.description()).isEqualTo("City name");
        Schema unit = p.properties().get("unit");
        assertThat(unit.type()).isEqualTo(Type.STRING);
        assertThat(unit.format()).isEqualTo("enum");
        assertThat(unit.enumValues()).containsExactly("CELSIUS", "FAHRENHEIT");

        FunctionDeclaration d = t.declaration();
        assertThat(d.name()).isEqualTo("get_weather");
        assertThat(d.description()).isEqualTo("Current weather for a city");
        assertThat(d.behavior()).as("BLOCKING is the default and is not written").isNull();
    }

    @Test
    void everyKindOfType() {
        Schema p = Tools.function("all", "All kinds", Everything.class, a -> null).parameters();
        Map<String, Schema> props = p.properties();
        assertThat(props.get("count").type()).isEqualTo(Type.INTEGER);
        assertThat(props.get("big").type()).isEqualTo(Type.INTEGER);
        assertThat(props.get("boxed").type()).isEqualTo(Type.INTEGER);
        assertThat(props.get("ratio").type()).isEqualTo(Type.NUMBER);
        assertThat(props.get("f").type()).isEqualTo(Type.NUMBER);
        assertThat(props.get("flag").type()).isEqualTo(Type.BOOLEAN);
        assertThat(props.get("letter").type()).isEqualTo(Type.STRING);
        assertThat(props.get("tags").type()).isEqualTo(Type.ARRAY);
        assertThat(props.get("tags").items().type()).isEqualTo(Type.STRING);
        assertThat(props.get("units").items().enumValues()).containsExactly("CELSIUS", "FAHRENHEIT");
        assertThat(props.get("numbers").items().type()).isEqualTo(Type.INTEGER);
        Schema route = props.get("route");
        assertThat(route.type()).isEqualTo(Type.ARRAY);
        assertThat(route.items().type()).isEqualTo(Type.OBJECT);
        assertThat(route.items().properties()).containsOnlyKeys("lat", "lon");
        assertThat(route.items().required()).containsExactly("lat", "lon");
        Schema origin = props.get("origin");
        assertThat(origin.type()).isEqualTo(Type.OBJECT);
        assertThat(origin.properties().get("lat").description()).isEqualTo("Latitude");
        assertThat(props.get("scores").type()).isEqualTo(Type.OBJECT);
        assertThat(props.get("scores").description()).contains("integers");
        assertThat(props.get("note").type()).isEqualTo(Type.STRING);
        assertThat(props.get("limit").type()).isEqualTo(Type.INTEGER);
        assertThat(props).containsKey("start_date").doesNotContainKey("startDate");
        assertThat(props.get("start_date").type()).isEqualTo(Type.STRING);
        assertThat(props.get("start_date").description()).startsWith("First day").contains("2026-05-01");
        assertThat(props.get("extra").type()).isEqualTo(Type.OBJECT);
        // Optional / OptionalInt are not required; everything else is (a boxed Integer too, unless marked).
        assertThat(p.required()).doesNotContain("note", "limit").contains("count", "boxed", "route", "start_date", "extra");
    }

    @Test
    void noArgumentsMeansNoParameters() {
        assertThat(Tools.function("ping", "Ping", () -> "pong").parameters()).isNull();
        assertThat(Tools.function("nothing", "Nothing", Empty.class, a -> 1).parameters()).isNull();
    }

    @Test
    void unsupportedAndRecursiveTypesFailAtRegistration() {
        assertThatThrownBy(() -> Tools.function("w", "Weird", Weird.class, a -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tool w: argument 'anything'")
                .hasMessageContaining("unsupported type java.lang.Object");
        assertThatThrownBy(() -> Tools.function("tree", "Tree", Node.class, a -> 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refers to itself");
        assertThatThrownBy(() -> Tools.function("s", "String args", String.class, a -> 1))
                .hasMessageContaining("must be a record");
    }

    @Test
    void namesAndDescriptionsAreValidated() {
        assertThatThrownBy(() -> Tools.function("get weather", "x", () -> 1)).hasMessageContaining("invalid tool name");
        assertThatThrownBy(() -> Tools.function("9lives", "x", () -> 1)).hasMessageContaining("invalid tool name");
        assertThatThrownBy(() -> Tools.function("a".repeat(65), "x", () -> 1)).hasMessageContaining("invalid tool name");
        assertThatThrownBy(() -> Tools.function("ok", " ", () -> 1)).hasMessageContaining("description is required");
        assertThat(Tools.function("ns.get-x:y_1", "x", () -> 1).name()).isEqualTo("ns.get-x:y_1");
    }

    @Test
    void behaviorSchedulingAndTimeoutAreCopies() {
        FunctionTool base = Tools.function("remind", "Sets a reminder", () -> "ok");
        FunctionTool nb = base.behavior(Behavior.NON_BLOCKING).scheduling(Scheduling.SILENT).timeout(Duration.ofSeconds(3));
        assertThat(base.nonBlocking()).isFalse();
        assertThat(base.scheduling()).isNull();
        assertThat(base.timeout()).isNull();
        assertThat(nb.nonBlocking()).isTrue();
        assertThat(nb.scheduling()).isEqualTo(Scheduling.SILENT);
        assertThat(nb.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(nb.declaration().behavior()).isEqualTo(Behavior.NON_BLOCKING);
        assertThatThrownBy(() -> base.timeout(Duration.ZERO)).hasMessageContaining("timeout must be positive");
    }

    @Test
    void registryDeclaresAllFunctionsInOneToolAndRejectsMistakes() {
        ToolRegistry r = ToolRegistry.create(b -> b
                .add(Tools.function("a", "A", () -> 1))
                .add(Tools.function("b", "B", WeatherArgs.class, x -> 2))
                .codeExecution(true)
                .googleSearch(true));
        assertThat(r.declarations()).hasSize(3);
        assertThat(r.declarations().getFirst().functionDeclarations()).extracting(FunctionDeclaration::name).containsExactly("a", "b");
        assertThat(r.declarations().get(1).codeExecution()).isNotNull();
        assertThat(r.declarations().get(2).googleSearch()).isNotNull();
        assertThat(ToolRegistry.of().declarations()).isEmpty();

        assertThatThrownBy(() -> ToolRegistry.of(Tools.function("a", "A", () -> 1), Tools.function("a", "A2", () -> 2)))
                .hasMessageContaining("two tools are named 'a'");
        assertThatThrownBy(() -> ToolRegistry.of(Tools.function("a", "A", () -> 1).scheduling(Scheduling.SILENT)))
                .hasMessageContaining("only applies to NON_BLOCKING");
    }

    @Test
    void declarationsEncodeAsTheWireExpects() {
        ToolRegistry r = ToolRegistry.of(
                Tools.function("get_weather", "Current weather for a city", WeatherArgs.class, a -> "sunny"),
                Tools.function("remind", "Reminder", () -> "ok").behavior(Behavior.NON_BLOCKING));
        ClientMessage.Setup setup = new ClientMessage.Setup("models/gemini-2.0-flash-live-001", null, null, r.declarations(),
                null, null, null, null, null, null, null);
        String json = LiveCodec.encode(setup);
        assertThat(json).contains("\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"Current weather for a city\","
                + "\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":\"STRING\",\"description\":\"City name\"},"
                + "\"unit\":{\"type\":\"STRING\",\"format\":\"enum\",\"enum\":[\"CELSIUS\",\"FAHRENHEIT\"]}},\"required\":[\"city\"]}}");
        assertThat(json).contains("{\"name\":\"remind\",\"description\":\"Reminder\",\"behavior\":\"NON_BLOCKING\"}");
    }

    // ---- annotated methods ----

    static final class Annotated {
        @ToolMethod(description = "Current time")
        public String clock() {
            return "noon";
        }

        @ToolMethod(name = "add_note", description = "Saves a note", behavior = Behavior.NON_BLOCKING, scheduling = Scheduling.SILENT,
                timeoutMillis = 1500)
        public void addNote(@Param(description = "The note text") String text, Optional<Integer> priority, List<String> tags) {}

        @ToolMethod(description = "Static helper")
        static int twice(int n) {
            return 2 * n;
        }

        public String notATool() {
            return "";
        }
    }

    @Test
    void annotatedMethodsBecomeTools() {
        List<FunctionTool> tools = Tools.fromObject(new Annotated());
        assertThat(tools).extracting(FunctionTool::name).containsExactly("add_note", "clock", "twice");
        FunctionTool note = tools.getFirst();
        assertThat(note.nonBlocking()).isTrue();
        assertThat(note.scheduling()).isEqualTo(Scheduling.SILENT);
        assertThat(note.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(note.parameters().properties()).containsOnlyKeys("text", "priority", "tags");
        assertThat(note.parameters().properties().get("text").description()).isEqualTo("The note text");
        assertThat(note.parameters().required()).containsExactly("text", "tags");
        assertThat(tools.get(1).parameters()).isNull();
        assertThat(tools.get(2).parameters().properties().get("n").type()).isEqualTo(Type.INTEGER);

        assertThat(Tools.fromClass(StaticOnly.class)).extracting(FunctionTool::name).containsExactly("shout");
        assertThatThrownBy(() -> Tools.fromClass(Annotated.class)).hasMessageContaining("instance method needs an object");
        assertThatThrownBy(() -> Tools.fromObject("no tools here")).hasMessageContaining("has no @ToolMethod methods");
    }

    static final class StaticOnly {
        @ToolMethod(description = "Upper-cases")
        static String shout(String text) {
            return text.toUpperCase(java.util.Locale.ROOT);
        }
    }

    @Test
    void nullableAnnotationsMakeArgumentsOptional() {
        Schema p = Tools.function("n", "Nullable", WithNullable.class, a -> 1).parameters();
        assertThat(p.required()).containsExactly("a");
    }
}
