package dev.habla.emulator.internal;

import dev.habla.protocol.CodeExecutionResult;
import dev.habla.protocol.Content;
import dev.habla.protocol.ExecutableCode;
import dev.habla.protocol.GroundingMetadata;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Tool;
import java.math.BigDecimal;
import java.math.MathContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server-side tools of the default emulator, answered deterministically (module README, "Code execution and
 * search"): with {@code codeExecution} declared, a text turn {@code run CODE} gets an {@code executableCode} part
 * (PYTHON, CODE) and a {@code codeExecutionResult} (CODE {@code print(<arithmetic>)} is evaluated; anything else
 * fails); with {@code googleSearch} declared, {@code search QUERY} gets {@code groundingMetadata} (the query, one
 * web source on example.com). Each also says one sentence. Stateless apart from the declared tools; used under the
 * connection's lock.
 */
final class ServerTools {
    private static final Pattern RUN = Pattern.compile("(?is)run\\s+(.+)");
    private static final Pattern SEARCH = Pattern.compile("(?is)search\\s+(.+)");
    private static final Pattern PRINT = Pattern.compile("(?s)print\\((.*)\\)");

    private final boolean codeExecution;
    private final boolean googleSearch;

    ServerTools(List<Tool> declared) {
        boolean code = false;
        boolean search = false;
        for (Tool t : declared == null ? List.<Tool>of() : declared) {
            code |= t.codeExecution() != null;
            search |= t.googleSearch() != null;
        }
        this.codeExecution = code;
        this.googleSearch = search;
    }

    /** What a server tool answers to one text turn: frames to send first, then the sentence to say; or null. */
    record Answer(List<ServerFrame> frames, String text) {}

    Answer answer(String userText) {
        String t = userText == null ? "" : userText.strip();
        Matcher run = RUN.matcher(t);
        if (codeExecution && run.matches()) {
            String code = run.group(1).strip();
            Outcome o = execute(code);
            Content parts = new Content(List.of(
                    Part.ofExecutableCode(new ExecutableCode(ExecutableCode.Language.PYTHON, code)),
                    Part.ofCodeExecutionResult(new CodeExecutionResult(o.ok
                            ? CodeExecutionResult.Outcome.OUTCOME_OK : CodeExecutionResult.Outcome.OUTCOME_FAILED, o.output))),
                    "model");
            return new Answer(List.of(ServerFrame.of(ServerMessage.ServerContent.modelTurn(parts))),
                    o.ok ? "The code printed " + o.output.strip() + "." : "The code failed.");
        }
        Matcher search = SEARCH.matcher(t);
        if (googleSearch && search.matches()) {
            String query = search.group(1).strip();
            String url = "https://example.com/search?q=" + URLEncoder.encode(query, StandardCharsets.UTF_8);
            GroundingMetadata g = new GroundingMetadata(null,
                    List.of(GroundingMetadata.GroundingChunk.web(url, "Results for " + query)), null, null,
                    List.of(query), null);
            return new Answer(List.of(ServerFrame.of(new ServerMessage.ServerContent(null, false, false, false, g, null,
                    null, null, false, null))), "I searched for " + query + ".");
        }
        return null;
    }

    private record Outcome(boolean ok, String output) {}

    /** {@code print(<arithmetic>)} only: + - * / % and parentheses on decimals; anything else fails. */
    private static Outcome execute(String code) {
        Matcher m = PRINT.matcher(code);
        if (!m.matches()) {
            return new Outcome(false, "The emulator runs print(<arithmetic>) only.\n");
        }
        try {
            Arithmetic a = new Arithmetic(m.group(1));
            BigDecimal v = a.expression();
            a.end();
            String s = v.stripTrailingZeros().scale() <= 0 ? v.toBigInteger().toString()
                    : v.round(MathContext.DECIMAL64).stripTrailingZeros().toPlainString();
            return new Outcome(true, s + "\n");
        } catch (ArithmeticException | IllegalArgumentException e) {
            return new Outcome(false, "Error: " + e.getMessage() + "\n");
        }
    }

    /** Recursive descent over the expression text; throws IllegalArgumentException on anything it does not know. */
    private static final class Arithmetic {
        private final String s;
        private int i;

        Arithmetic(String s) {
            this.s = s;
        }

        BigDecimal expression() {
            BigDecimal v = term();
            while (true) {
                char c = peek();
                if (c == '+' || c == '-') {
                    i++;
                    BigDecimal r = term();
                    v = c == '+' ? v.add(r) : v.subtract(r);
                } else {
                    return v;
                }
            }
        }

        private BigDecimal term() {
            BigDecimal v = factor();
            while (true) {
                char c = peek();
                if (c == '*' || c == '/' || c == '%') {
                    i++;
                    BigDecimal r = factor();
                    v = switch (c) {
                        case '*' -> v.multiply(r);
                        case '/' -> v.divide(r, MathContext.DECIMAL64);
                        default -> v.remainder(r);
                    };
                } else {
                    return v;
                }
            }
        }

        private BigDecimal factor() {
            char c = peek();
            if (c == '-') {
                i++;
                return factor().negate();
            }
            if (c == '(') {
                i++;
                BigDecimal v = expression();
                if (peek() != ')') {
                    throw new IllegalArgumentException("missing )");
                }
                i++;
                return v;
            }
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException(i < s.length() ? "unexpected '" + s.charAt(i) + "'" : "expression ends early");
            }
            return new BigDecimal(s.substring(start, i));
        }

        private char peek() {
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
            return i < s.length() ? s.charAt(i) : '\0';
        }

        void end() {
            if (peek() != '\0') {
                throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "'");
            }
        }
    }
}
