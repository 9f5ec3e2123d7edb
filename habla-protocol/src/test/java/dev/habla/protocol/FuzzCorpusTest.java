package dev.habla.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps the fuzz seed corpus honest: in the strict targets' directories, {@code ok-*} files decode and {@code bad-*}
 * files are rejected with a ProtocolException ({@code odd-*} and {@code regress-*} may go either way).
 */
@Timeout(60)
class FuzzCorpusTest {

    private static List<Path> inputs(String method) throws IOException, URISyntaxException {
        Path dir = Path.of(FuzzCorpusTest.class.getResource("LiveCodecFuzzTestInputs/" + method).toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static void check(String method, String okPrefix, String badPrefix, Consumer<byte[]> strictDecode) throws Exception {
        int ok = 0;
        int bad = 0;
        for (Path p : inputs(method)) {
            String name = p.getFileName().toString();
            byte[] frame = Files.readAllBytes(p);
            if (name.startsWith(okPrefix)) {
                assertThatCode(() -> strictDecode.accept(frame)).as(method + "/" + name).doesNotThrowAnyException();
                ok++;
            } else if (name.startsWith(badPrefix)) {
                assertThatCode(() -> strictDecode.accept(frame)).as(method + "/" + name).isInstanceOf(ProtocolException.class);
                bad++;
            }
        }
        assertThat(ok).as("valid seeds in " + method).isGreaterThan(10);
        assertThat(bad).as("invalid seeds in " + method).isGreaterThan(10);
    }

    @Test
    void clientSeeds() throws Exception {
        check("strictClientDecoding", "ok-", "bad-", f -> LiveCodec.decodeClient(f, Strictness.STRICT));
    }

    @Test
    void serverSeeds() throws Exception {
        check("strictServerDecoding", "ok-", "bad-", f -> LiveCodec.decodeServer(f, Strictness.STRICT));
    }

    @Test
    void roundTripSeeds() throws Exception {
        check("strictRoundTrip", "client-ok-", "client-bad-", f -> LiveCodec.decodeClient(f, Strictness.STRICT));
        check("strictRoundTrip", "server-ok-", "server-bad-", f -> LiveCodec.decodeServer(f, Strictness.STRICT));
    }
}
