package dev.habla.tools.internal;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small, safe arithmetic evaluator (recursive descent; no script engine, no reflection, nothing but arithmetic):
 * {@code + - * / % ^} (also {@code **}), parentheses, unary minus/plus, decimals with an optional exponent
 * ({@code 1.5e3}), the constants {@code pi} and {@code e}, and the functions {@code sqrt}, {@code abs},
 * {@code min}, {@code max} (one or more arguments) and {@code round} ({@code round(x)} or {@code round(x, digits)}).
 *
 * <pre>
 * expr    := term (('+' | '-') term)*
 * term    := unary (('*' | '/' | '%') unary)*
 * unary   := ('-' | '+') unary | power
 * power   := primary (('^' | '**') unary)?        right-associative; -2^2 = -4, 2^-1 = 0.5
 * primary := number | '(' expr ')' | name | name '(' expr (',' expr)* ')'
 * </pre>
 *
 * Errors are {@link CalculatorException}s whose message names the 1-based position, e.g.
 * {@code unexpected '/' at position 3}. Input length and nesting depth are bounded so a hostile expression cannot
 * exhaust the stack. Stateless; each {@link #evaluate} call uses its own parser.
 */
public final class Calculator {
    /** Longest accepted expression. */
    public static final int MAX_LENGTH = 1000;
    /** Deepest accepted nesting of parentheses, unary operators and powers. */
    public static final int MAX_DEPTH = 100;

    private static final List<String> FUNCTIONS = List.of("sqrt", "abs", "min", "max", "round");

    /** A bad expression or an impossible operation; the message says what and where. */
    public static final class CalculatorException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int position;

        CalculatorException(String message, int position) {
            super(message);
            this.position = position;
        }

        /** 1-based position of the problem in the expression (0 when it concerns the whole expression). */
        public int position() {
            return position;
        }
    }

    private final String s;
    private int pos;
    private int depth;

    private Calculator(String s) {
        this.s = s;
    }

    /** The value of {@code expression}. */
    public static double evaluate(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new CalculatorException("empty expression", 0);
        }
        if (expression.length() > MAX_LENGTH) {
            throw new CalculatorException("expression too long (" + expression.length() + " characters, at most " + MAX_LENGTH + ")", 0);
        }
        Calculator c = new Calculator(expression);
        double v = c.expr();
        c.skipSpaces();
        if (c.pos < c.s.length()) {
            throw c.unexpected();
        }
        return v;
    }

    /**
     * The value rounded to 15 significant digits (so {@code 0.1+0.2} is {@code 0.3}), as a {@code Long} when it is
     * integral and fits exactly, otherwise a {@code Double}.
     */
    public static Number tidy(double v) {
        BigDecimal bd = new BigDecimal(Double.toString(v)).round(new MathContext(15, RoundingMode.HALF_EVEN)).stripTrailingZeros();
        if (bd.scale() <= 0 && bd.abs().compareTo(BigDecimal.valueOf(1L << 53)) <= 0) {
            return bd.longValueExact();
        }
        return bd.doubleValue();
    }

    private double expr() {
        enter();
        double v = term();
        while (true) {
            skipSpaces();
            int at = pos;
            if (eat('+')) {
                v = finite(v + term(), at);
            } else if (eat('-')) {
                v = finite(v - term(), at);
            } else {
                break;
            }
        }
        depth--;
        return v;
    }

    private double term() {
        double v = unary();
        while (true) {
            skipSpaces();
            int at = pos;
            if (peek('*') && !peekAt(pos + 1, '*')) {
                pos++;
                v = finite(v * unary(), at);
            } else if (eat('/')) {
                double d = unary();
                if (d == 0) {
                    throw new CalculatorException("division by zero at position " + (at + 1), at + 1);
                }
                v = finite(v / d, at);
            } else if (eat('%')) {
                double d = unary();
                if (d == 0) {
                    throw new CalculatorException("modulo by zero at position " + (at + 1), at + 1);
                }
                v = finite(v % d, at);
            } else {
                break;
            }
        }
        return v;
    }

    private double unary() {
        skipSpaces();
        if (eat('-')) {
            enter();
            double v = -unary();
            depth--;
            return v;
        }
        if (eat('+')) {
            enter();
            double v = unary();
            depth--;
            return v;
        }
        return power();
    }

    private double power() {
        double base = primary();
        skipSpaces();
        int at = pos;
        boolean caret = eat('^');
        if (!caret && peek('*') && peekAt(pos + 1, '*')) {
            pos += 2;
            caret = true;
        }
        if (caret) {
            enter();
            double exponent = unary(); // right-associative: 2^3^2 = 2^(3^2); allows 2^-1
            depth--;
            double v = Math.pow(base, exponent);
            if (Double.isNaN(v)) {
                throw new CalculatorException("undefined power (negative base with a fractional exponent) at position " + (at + 1), at + 1);
            }
            return finite(v, at);
        }
        return base;
    }

    private double primary() {
        skipSpaces();
        if (pos >= s.length()) {
            throw new CalculatorException("unexpected end of expression at position " + (pos + 1)
                    + " (expected a number, '(' or a function)", pos + 1);
        }
        char c = s.charAt(pos);
        if (c == '(') {
            int open = pos;
            pos++;
            double v = expr();
            skipSpaces();
            if (!eat(')')) {
                if (pos >= s.length()) {
                    throw new CalculatorException("missing ')' for the '(' at position " + (open + 1), open + 1);
                }
                throw unexpected();
            }
            return v;
        }
        if (isDigit(c) || c == '.') {
            return number();
        }
        if (Character.isLetter(c)) {
            return name();
        }
        throw unexpected();
    }

    private double number() {
        int start = pos;
        while (pos < s.length() && isDigit(s.charAt(pos))) {
            pos++;
        }
        if (pos < s.length() && s.charAt(pos) == '.') {
            pos++;
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }
        if (pos - start == 1 && s.charAt(start) == '.') {
            pos = start;
            throw unexpected();
        }
        // Exponent only when digits follow, so "2e" is reported at the 'e' instead of being read as 2*e.
        if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
            int save = pos;
            int p = pos + 1;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                p++;
            }
            if (p < s.length() && isDigit(s.charAt(p))) {
                pos = p;
                while (pos < s.length() && isDigit(s.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        double v = Double.parseDouble(s.substring(start, pos));
        return finite(v, start);
    }

    private double name() {
        int start = pos;
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
            pos++;
        }
        String name = s.substring(start, pos).toLowerCase(Locale.ROOT);
        skipSpaces();
        if (!peek('(')) {
            return switch (name) {
                case "pi" -> Math.PI;
                case "e" -> Math.E;
                default -> throw new CalculatorException(FUNCTIONS.contains(name)
                        ? name + " at position " + (start + 1) + " needs its arguments in parentheses"
                        : "unknown name '" + s.substring(start, start + name.length()) + "' at position " + (start + 1)
                                + " (known: " + String.join(", ", FUNCTIONS) + ", pi, e)", start + 1);
            };
        }
        if (!FUNCTIONS.contains(name)) {
            throw new CalculatorException("unknown function '" + s.substring(start, start + name.length()) + "' at position "
                    + (start + 1) + " (known: " + String.join(", ", FUNCTIONS) + ")", start + 1);
        }
        int open = pos;
        pos++; // '('
        List<Double> args = new ArrayList<>();
        skipSpaces();
        if (!peek(')')) {
            args.add(expr());
            skipSpaces();
            while (eat(',')) {
                args.add(expr());
                skipSpaces();
            }
        }
        if (!eat(')')) {
            if (pos >= s.length()) {
                throw new CalculatorException("missing ')' for the '(' at position " + (open + 1), open + 1);
            }
            throw unexpected();
        }
        int at = start + 1;
        return switch (name) {
            case "sqrt" -> {
                arity(name, args, 1, 1, at);
                if (args.getFirst() < 0) {
                    throw new CalculatorException("sqrt of a negative number at position " + at, at);
                }
                yield Math.sqrt(args.getFirst());
            }
            case "abs" -> {
                arity(name, args, 1, 1, at);
                yield Math.abs(args.getFirst());
            }
            case "min" -> {
                arity(name, args, 1, Integer.MAX_VALUE, at);
                yield args.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            }
            case "max" -> {
                arity(name, args, 1, Integer.MAX_VALUE, at);
                yield args.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            }
            case "round" -> {
                arity(name, args, 1, 2, at);
                int digits = 0;
                if (args.size() == 2) {
                    double d = args.get(1);
                    if (d != Math.rint(d) || d < 0 || d > 15) {
                        throw new CalculatorException("round: digits must be a whole number from 0 to 15 (position " + at + ")", at);
                    }
                    digits = (int) d;
                }
                yield new BigDecimal(Double.toString(args.getFirst())).setScale(digits, RoundingMode.HALF_UP).doubleValue();
            }
            default -> throw new IllegalStateException(name);
        };
    }

    private static void arity(String name, List<Double> args, int min, int max, int at) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? min + " argument" + (min == 1 ? "" : "s")
                    : max == Integer.MAX_VALUE ? "at least " + min + " argument" + (min == 1 ? "" : "s")
                    : min + " or " + max + " arguments";
            throw new CalculatorException(name + " takes " + expected + ", got " + args.size() + " (position " + at + ")", at);
        }
    }

    private double finite(double v, int at) {
        if (!Double.isFinite(v)) {
            throw new CalculatorException("result too large at position " + (at + 1), at + 1);
        }
        return v;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw new CalculatorException("expression nested too deeply (more than " + MAX_DEPTH + " levels) at position " + (pos + 1),
                    pos + 1);
        }
    }

    private CalculatorException unexpected() {
        if (pos >= s.length()) {
            return new CalculatorException("unexpected end of expression at position " + (pos + 1), pos + 1);
        }
        int cp = s.codePointAt(pos);
        return new CalculatorException("unexpected '" + new String(Character.toChars(cp)) + "' at position " + (pos + 1), pos + 1);
    }

    private void skipSpaces() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
            pos++;
        }
    }

    private boolean peek(char c) {
        return pos < s.length() && s.charAt(pos) == c;
    }

    private boolean peekAt(int p, char c) {
        return p < s.length() && s.charAt(p) == c;
    }

    private boolean eat(char c) {
        if (peek(c)) {
            pos++;
            return true;
        }
        return false;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
