package dev.habla.vision;

import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** What the vision tests need from the machine: with CI=true a missing tool fails the test, else it skips it. */
final class TestEnv {
    private TestEnv() {}

    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    static void requireFfmpeg() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("ffmpeg", "-version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (ci() && !ok) {
            throw new AssertionError("CI=true but ffmpeg is not installed (.ci/run installs it)");
        }
        assumeThat(ok).as("ffmpeg on the PATH (set CI=true to make this a failure)").isTrue();
    }
}
