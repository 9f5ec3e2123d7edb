package dev.habla.conformance;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the oracles live ({@code habla-conformance/}, filled by {@code prepare-oracles.sh}) and how to run the Node
 * scenarios. Missing Node or packages is a test failure with instructions, never a skip: CI must prove these.
 */
final class Oracles {
    static final String GENAI_VERSION = "3.3.0";

    private Oracles() {}

    /** The module directory (surefire passes it; the working directory is the fallback). */
    static Path moduleDir() {
        return Path.of(System.getProperty("habla.conformance.dir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    static Path jsDir() {
        return moduleDir().resolve("js");
    }

    /** The node executable on PATH, or a failure saying how to get it. */
    static Path node() {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "node");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail("node is not on PATH (" + path + "). The JS SDK oracle needs Node >= 20: install it (Debian: apt-get install "
                + "nodejs npm; .ci/run does) and run habla-conformance/prepare-oracles.sh (mvn does it in `initialize`).");
    }

    /** Fails unless js/node_modules holds @google/genai at exactly the pinned version. */
    static void requireJsSdk() {
        Path pkg = jsDir().resolve("node_modules/@google/genai/package.json");
        if (!Files.isRegularFile(pkg)) {
            fail(pkg + " is missing: run habla-conformance/prepare-oracles.sh (mvn runs it in the initialize phase)");
        }
        String version = ProtoOracle.tree(read(pkg)).path("version").asText();
        if (!version.equals(GENAI_VERSION)) {
            fail("js/node_modules has @google/genai " + version + ", expected " + GENAI_VERSION + ": run prepare-oracles.sh");
        }
    }

    /** The output of one Node scenario run. */
    record NodeRun(int exitCode, String stdout, String stderr, JsonNode result) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Runs {@code node js/<script> args...} with a hard timeout and parses its {@code RESULT {json}} line. */
    static NodeRun runNode(String script, long timeoutSeconds, String... args) throws Exception {
        requireJsSdk();
        return runNodeIn(jsDir(), script, timeoutSeconds, args);
    }

    /** Like {@link #runNode} for a script in another directory (the OpenAI SDKs' {@code js-openai/}). */
    static NodeRun runNodeIn(Path dir, String script, long timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(node().toString());
        cmd.add(script);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).start();
        p.getOutputStream().close();
        // Drain both pipes on virtual threads so a chatty child never blocks on a full pipe.
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = Thread.ofVirtual().name("habla-node-stdout").start(() -> copy(p.getInputStream(), out));
        Thread e = Thread.ofVirtual().name("habla-node-stderr").start(() -> copy(p.getErrorStream(), err));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            o.join(2000);
            e.join(2000);
            return fail("node " + script + " did not finish within " + timeoutSeconds + " s\n--- stdout\n" + out + "\n--- stderr\n" + err);
        }
        o.join(5000);
        e.join(5000);
        String stdout = out.toString(StandardCharsets.UTF_8);
        JsonNode result = null;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("RESULT ")) {
                result = ProtoOracle.tree(line.substring("RESULT ".length()));
            }
        }
        NodeRun run = new NodeRun(p.exitValue(), stdout, err.toString(StandardCharsets.UTF_8), result);
        if (result == null) {
            fail("node " + script + " printed no RESULT line: " + run);
        }
        return run;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process was killed; what was read so far is kept
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
