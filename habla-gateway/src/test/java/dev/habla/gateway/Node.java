package dev.habla.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a script of {@code habla-gateway/js} with Node (after {@code prepare-js.sh}), bounded, and reads its RESULT line. */
final class Node {
    static final Path JS = Path.of("js").toAbsolutePath();
    private static volatile boolean prepared;

    record Run(int exit, JsonNode result, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    static synchronized void prepare() throws IOException, InterruptedException {
        if (prepared) {
            return;
        }
        Process p = new ProcessBuilder("bash", Path.of("prepare-js.sh").toAbsolutePath().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("prepare-js.sh failed: " + out);
        }
        prepared = true;
    }

    static Run run(int timeoutSeconds, String script, String... args) throws Exception {
        prepare();
        List<String> cmd = new ArrayList<>(List.of("node", script));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(JS.toFile());
        pb.environment().put("HABLA_SCENARIO_MS", String.valueOf(Math.max(10, timeoutSeconds - 10) * 1000L));
        Process p = pb.start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
        Thread e = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        o.join(5000);
        e.join(5000);
        String stdout = out.toString(StandardCharsets.UTF_8);
        JsonNode result = null;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("RESULT ")) {
                result = Fixture.JSON.readTree(line.substring(7));
            }
        }
        Run run = new Run(p.isAlive() ? -1 : p.exitValue(), result, stdout, err.toString(StandardCharsets.UTF_8));
        if (result == null) {
            throw new AssertionError("no RESULT line from " + script + ": " + run);
        }
        if (!result.path("ok").asBoolean()) {
            throw new AssertionError("scenario failed: " + result.path("error").asText() + "\n" + run);
        }
        return run;
    }

    private static void copy(java.io.InputStream in, ByteArrayOutputStream to) {
        try {
            in.transferTo(to);
        } catch (IOException ignored) {
            // the process ended
        }
    }
}
