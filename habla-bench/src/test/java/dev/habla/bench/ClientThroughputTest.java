package dev.habla.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.habla.bench.ClientThroughput.Options;
import dev.habla.bench.ClientThroughput.Result;
import dev.habla.bench.ClientThroughput.Row;
import dev.habla.bench.ClientThroughput.ServerKind;
import dev.habla.bench.ThroughputClients.Subject;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Smoke test of the client throughput harness with tiny counts (the real run is {@code bench/client.sh}): every
 * variant completes against both servers, Habla delivers everything in order and intact, and the report prints.
 */
@Timeout(120)
class ClientThroughputTest {

    @ParameterizedTest
    @EnumSource(ServerKind.class)
    void tinyRunCompletesWithHablaInOrder(ServerKind server) throws Exception {
        // 200 messages in bursts of 100: exercises the wait between bursts, with 1 and 4 producers.
        Options o = new Options(200, 200, 100, 0, 1, List.of(1, 4), true, server, false, true, Duration.ofSeconds(10), null, false);
        Result r = ClientThroughput.run(o, new PrintStream(OutputStream.nullOutputStream()));

        for (int threads : List.of(1, 4)) {
            for (Subject transport : List.of(Subject.HABLA, Subject.HABLA_JDK)) {
                Row habla = r.row("send", transport, threads);
                assertThat(habla.problems()).as("%s send, %d threads", transport, threads).isEmpty();
                assertThat(habla.reorders()).isZero();
                assertThat(habla.received()).isEqualTo(200);
                assertThat(habla.rates()).hasSize(1).allMatch(x -> x > 0);
            }
            // The SDK may reorder fire-and-forget sends; at this size it must still deliver everything intact.
            for (Subject sdk : List.of(Subject.SDK_NAIVE, Subject.SDK_JOINED)) {
                Row row = r.row("send", sdk, threads);
                assertThat(row.problems()).as("%s, %d threads", sdk, threads).isEmpty();
                assertThat(row.received()).isEqualTo(200);
            }
        }
        assertThat(r.row("send", Subject.RAW_JDK, 1).problems()).isEmpty();

        for (Subject transport : List.of(Subject.HABLA, Subject.HABLA_JDK)) {
            Row hablaDecode = r.row("decode", transport, 1);
            assertThat(hablaDecode.problems()).as("%s decode", transport).isEmpty();
            assertThat(hablaDecode.checksumOk()).isTrue();
            assertThat(hablaDecode.reorders()).isZero();
        }
        Row sdkDecode = r.row("decode", Subject.SDK, 1);
        assertThat(sdkDecode.problems()).isEmpty();
        assertThat(sdkDecode.checksumOk()).isTrue();

        // The unbounded probe: 200 messages fit every queue, so both clients deliver them all.
        assertThat(r.row("burst", Subject.HABLA, 1).problems()).isEmpty();
        assertThat(r.row("burst", Subject.HABLA, 1).reorders()).isZero();
        assertThat(r.row("burst", Subject.SDK_NAIVE, 1).received()).isEqualTo(200);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ClientThroughput.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Habla/SDK", "decode ", "One unbounded burst");
    }
}
