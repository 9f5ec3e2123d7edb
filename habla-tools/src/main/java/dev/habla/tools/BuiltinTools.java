package dev.habla.tools;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.tools.internal.Calculator;
import dev.habla.tools.internal.FileSandbox;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Ready-made tools, useful on their own and as examples:
 * <ul>
 *   <li>{@code clock}: no arguments; the current date and time, ISO-8601 with offset and zone
 *       ({@code 2026-05-01T14:03:07+02:00[Europe/Madrid]}), from an injectable {@link Clock};</li>
 *   <li>{@code calculator}: {@code {"expression": "6*7"}} → {@code {"value": 42}}; a safe arithmetic parser (no
 *       script engine), see {@link Calculator};</li>
 *   <li>{@code read_file}: {@code {"path": "notes.txt"}} → the text of a UTF-8 file under folders the user allowed,
 *       at most 64 KiB (longer files are truncated and say so).</li>
 * </ul>
 */
public final class BuiltinTools {
    private BuiltinTools() {}

    /** Arguments of {@code calculator}. */
    public record CalculatorArgs(
            @Param(description = "Arithmetic expression, e.g. (2+3)*4 or sqrt(2)^2; operators + - * / % ^, "
                    + "functions sqrt abs min max round, constants pi e") String expression) {}

    /** Arguments of {@code read_file}. */
    public record ReadFileArgs(
            @Param(description = "Path of the file, absolute or relative to the first allowed folder") String path) {}

    /** Result of {@code read_file} ({@code note} only when truncated). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileText(String path, String content, long sizeBytes, boolean truncated, String note) {}

    /** {@code clock} on the system clock in the default time zone. */
    public static FunctionTool clock() {
        return clock(Clock.systemDefaultZone());
    }

    /** {@code clock} reading {@code clock} (use a fixed clock in tests). */
    public static FunctionTool clock(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return Tools.function("clock", "Current local date and time (ISO-8601 with UTC offset and time zone). "
                + "Call it whenever the user asks about the time, the date or the day of the week.",
                () -> ZonedDateTime.now(clock).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_ZONED_DATE_TIME));
    }

    /** {@code calculator}: evaluates an arithmetic expression; returns {@code {"value": number}}. */
    public static FunctionTool calculator() {
        return Tools.function("calculator", "Evaluates an arithmetic expression exactly. Use it for any calculation "
                + "instead of computing in your head.", CalculatorArgs.class, args -> {
                    ObjectNode result = JsonNodeFactory.instance.objectNode();
                    Number value = Calculator.tidy(Calculator.evaluate(args.expression()));
                    if (value instanceof Long l) {
                        result.put("value", l);
                    } else {
                        result.put("value", value.doubleValue());
                    }
                    return result;
                });
    }

    /** {@code read_file} for these folders with the default 64 KiB cap. */
    public static FunctionTool readFile(List<Path> allowedFolders) {
        return readFile(allowedFolders, FileSandbox.DEFAULT_MAX_BYTES);
    }

    /**
     * {@code read_file} for these folders, returning at most {@code maxBytes} of a file.
     *
     * @throws IllegalArgumentException if the list is empty or a folder does not exist
     */
    public static FunctionTool readFile(List<Path> allowedFolders, int maxBytes) {
        FileSandbox sandbox = new FileSandbox(allowedFolders, maxBytes);
        String folders = sandbox.roots().stream().map(Path::toString).collect(Collectors.joining(", "));
        return Tools.function("read_file", "Reads a UTF-8 text file (at most " + maxBytes / 1024 + " KiB are returned). "
                + "Only files in these folders can be read: " + folders + ".", ReadFileArgs.class, args -> {
                    FileSandbox.FileContent c;
                    try {
                        c = sandbox.read(args.path());
                    } catch (FileSandbox.SandboxException e) {
                        throw new ToolException(e.getMessage(), e);
                    }
                    String note = c.truncated() ? "truncated: only the first " + maxBytes + " of " + c.size() + " bytes are shown" : null;
                    return new FileText(c.path(), c.content(), c.size(), c.truncated(), note);
                });
    }

    /** {@code clock} and {@code calculator}, plus {@code read_file} when {@code allowedFolders} is not empty. */
    public static List<FunctionTool> all(Clock clock, List<Path> allowedFolders) {
        List<FunctionTool> tools = new ArrayList<>(List.of(clock(clock), calculator()));
        if (allowedFolders != null && !allowedFolders.isEmpty()) {
            tools.add(readFile(allowedFolders));
        }
        return List.copyOf(tools);
    }
}
