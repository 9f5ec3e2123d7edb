package dev.habla.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.habla.client.LiveException.Kind;
import dev.habla.emulator.Fault;
import dev.habla.emulator.Script;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.ResponseModality;
import dev.habla.protocol.ServerMessage;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every failure class, end to end: what connect throws, what the listener's single Closed carries. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ErrorMappingTest extends EmulatorTest {

    /** Connects, expects a LiveException, and checks the listener got exactly one Closed with the same error. */
    private LiveException connectFails(LiveClient c, SessionConfig config) {
        RecordingListener rec = new RecordingListener();
        LiveException e = catchThrowableOfType(LiveException.class, () -> c.connect(config, rec));
        assertThat(e).as("connect should fail").isNotNull();
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isSameAs(e);
        rec.assertTerminatedOnce();
        assertThat(rec.events()).hasSize(1);
        return e;
    }

    @Test
    void unknownModelIsNotFoundWithTheServersReason() {
        LiveException e = connectFails(client, SessionConfig.create(b -> b.model("gemini-nope")));
        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.closeCode()).isEqualTo(1008);
        assertThat(e.closeReason()).startsWith("models/gemini-nope is not found for API version v1beta");
        assertThat(e.getMessage()).contains("models/gemini-nope is not found");
    }

    @Test
    void textOnNativeAudioIsRefusedBeforeConnecting() {
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model(NATIVE_AUDIO).responseModality(ResponseModality.TEXT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TEXT")
                .hasMessageContaining(NATIVE_AUDIO);
        assertThatThrownBy(() -> SessionConfig.create(b -> b.model("gemini-3.1-flash-live-preview").responseModality(ResponseModality.TEXT)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gemini-3.1-flash-live-preview");
    }

    @Test
    void textOnNativeAudioForcedThroughTheRawSetupIsRejectedByTheServer() {
        // A valid TEXT config whose wire setup names a native-audio model: only the server can catch it.
        SessionConfig forced = text().with(b -> b.setupOverride(s -> new ClientMessage.Setup("models/" + NATIVE_AUDIO,
                s.generationConfig(), s.systemInstruction(), s.tools(), s.realtimeInputConfig(), s.sessionResumption(),
                s.contextWindowCompression(), s.inputAudioTranscription(), s.outputAudioTranscription(), s.proactivity(),
                s.historyConfig())));
        LiveException e = connectFails(client, forced);
        assertThat(e.kind()).isEqualTo(Kind.INVALID_ARGUMENT);
        assertThat(e.closeCode()).isEqualTo(1007);
        assertThat(e.closeReason()).isEqualTo("Cannot extract voices from a non-audio request.");
    }

    @Test
    void wrongApiKeyIsUnauthenticated() {
        LiveClient wrong = newClient(b -> b.apiKey("wrong-key"));
        LiveException e = connectFails(wrong, text());
        assertThat(e.kind()).isEqualTo(Kind.UNAUTHENTICATED);
        assertThat(e.closeCode()).isEqualTo(1008);
        assertThat(e.closeReason()).contains("API key not valid");
        assertThat(e.getMessage()).doesNotContain("wrong-key");
    }

    @Test
    void nothingListeningIsUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        LiveClient nowhere = newClient(b -> b.baseUrl("http://127.0.0.1:" + port));
        LiveException e = connectFails(nowhere, text());
        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.kind().retryable()).isTrue();
        assertThat(e.getMessage()).contains("refused");
    }

    @Test
    void unknownPathIsAHandshakeStatus() {
        LiveClient wrongPath = newClient(b -> b.baseUrl(emulator.baseUrl() + "/not-the-api"));
        LiveException e = connectFails(wrongPath, text());
        assertThat(e.kind()).isEqualTo(Kind.NOT_FOUND);
        assertThat(e.httpStatus()).isEqualTo(404);
        assertThat(e.closeCode()).isEqualTo(-1);
    }

    @Test
    void setupThatNeverCompletesTimesOut() {
        emulator.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class)));
        LiveClient impatient = newClient(b -> b.connectTimeout(Duration.ofMillis(300)));
        LiveException e = connectFails(impatient, text());
        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("300 ms");
    }

    @Test
    void firstMessageOtherThanSetupCompleteIsAProtocolError() {
        emulator.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class)
                .send(ServerMessage.ServerContent.turnCompleted())));
        LiveException e = connectFails(client, text());
        assertThat(e.kind()).isEqualTo(Kind.PROTOCOL);
        assertThat(e.getMessage()).contains("expected setupComplete");
    }

    @Test
    void undecodableFrameFailsTheSessionWithProtocol() throws Exception {
        emulator.enqueue(Script.create(script -> script.expect(ClientMessage.Setup.class)
                .send(new ServerMessage.SetupComplete(null))
                .sendRaw("{this is not json", true)));
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error().kind()).isEqualTo(Kind.PROTOCOL);
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        rec.assertTerminatedOnce();
    }

    @Test
    void quotaCloseIsResourceExhausted() throws Exception {
        LiveEvent.Closed closed = closedAfter(new Fault.Close(1011,
                "You exceeded your current quota, please check your plan and billing details."));
        assertThat(closed.code()).isEqualTo(1011);
        assertThat(closed.error().kind()).isEqualTo(Kind.RESOURCE_EXHAUSTED);
        assertThat(closed.error().closeReason()).startsWith("You exceeded your current quota");
        assertThat(closed.error().kind().retryable()).isFalse();
    }

    @Test
    void deadlineExpiredIsDeadlineExceeded() throws Exception {
        LiveEvent.Closed closed = closedAfter(new Fault.DeadlineExpired());
        assertThat(closed.code()).isEqualTo(1011);
        assertThat(closed.error().kind()).isEqualTo(Kind.DEADLINE_EXCEEDED);
        assertThat(closed.reason()).isEqualTo("Deadline expired before operation could complete.");
    }

    @Test
    void otherInternalErrorIsInternal() throws Exception {
        LiveEvent.Closed closed = closedAfter(new Fault.Close(1011, "Internal error encountered."));
        assertThat(closed.error().kind()).isEqualTo(Kind.INTERNAL);
    }

    @Test
    void droppedConnectionIsUnavailable1006() throws Exception {
        LiveEvent.Closed closed = closedAfter(new Fault.DropConnection());
        assertThat(closed.code()).isEqualTo(1006);
        assertThat(closed.error().kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(closed.error().closeCode()).isEqualTo(1006);
    }

    /** Opens a text session, applies the fault, returns the terminal event after checking it is the only one. */
    private LiveEvent.Closed closedAfter(Fault fault) throws Exception {
        RecordingListener rec = new RecordingListener();
        LiveSession s = client.connect(text(), rec);
        extension.closeAfterwards(s);
        emulator.inject(fault);
        LiveEvent.Closed closed = rec.awaitClosed(WAIT);
        assertThat(closed.error()).isNotNull();
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        assertThat(s.sendText("too late")).isEqualTo(SendResult.CLOSED);
        rec.assertTerminatedOnce();
        return closed;
    }
}
