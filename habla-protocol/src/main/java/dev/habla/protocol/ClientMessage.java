package dev.habla.protocol;

import java.util.List;

/**
 * A message from client to server: exactly one top-level key on the wire ({@code setup}, {@code clientContent},
 * {@code realtimeInput}, {@code toolResponse}, {@code contextUpdate}).
 */
public sealed interface ClientMessage
        permits ClientMessage.Setup, ClientMessage.ClientContent, ClientMessage.RealtimeInput, ClientMessage.ToolResponse,
        ClientMessage.ContextUpdate, ClientMessage.Raw {

    /** The wire key of this message. */
    default String wireKey() {
        return switch (this) {
            case Setup s -> "setup";
            case ClientContent c -> "clientContent";
            case RealtimeInput r -> "realtimeInput";
            case ToolResponse t -> "toolResponse";
            case ContextUpdate c -> "contextUpdate";
            case Raw r -> r.message().wireKey();
        };
    }

    /** This message as vocabulary: itself, or the message a {@link Raw} carries. */
    default ClientMessage plain() {
        return this;
    }

    /**
     * Machinery, not vocabulary: a message together with the exact JSON text it arrived in, so that a relay (the
     * gateway) forwards the sender's text instead of re-encoding it. {@link LiveCodec#encode(ClientMessage)} returns
     * {@link #json()} as is; everything that reads a message's fields reads {@link #message()} (or {@link #plain()}),
     * which equals what the strict decoder builds from the same text. Made only by
     * {@link LiveCodec#recogniseAudioInput}, for a {@code realtimeInput} carrying only one audio blob. Not a wire type
     * (not a record; no schema).
     */
    final class Raw implements ClientMessage {
        private final RealtimeInput message;
        private final String json;

        Raw(RealtimeInput message, String json) {
            this.message = message;
            this.json = json;
        }

        /** The decoded message. */
        public RealtimeInput message() {
            return message;
        }

        /** The JSON text as received (ASCII). */
        public String json() {
            return json;
        }

        @Override
        public ClientMessage plain() {
            return message;
        }

        @Override
        public String toString() {
            return "Raw[" + message + ", " + json.length() + " chars]";
        }
    }

    /**
     * First and only-first message of a connection. {@code proactivity} and {@code historyConfig} are newer than the
     * public v1beta proto.
     */
    @ProtoName("BidiGenerateContentSetup")
    record Setup(
            String model,
            GenerationConfig generationConfig,
            Content systemInstruction,
            List<Tool> tools,
            RealtimeInputConfig realtimeInputConfig,
            SessionResumptionConfig sessionResumption,
            ContextWindowCompressionConfig contextWindowCompression,
            AudioTranscriptionConfig inputAudioTranscription,
            AudioTranscriptionConfig outputAudioTranscription,
            @Extension ProactivityConfig proactivity,
            @Extension HistoryConfig historyConfig) implements ClientMessage {

        /** A setup with only a model and generation config. */
        public static Setup of(String model, GenerationConfig generationConfig) {
            return new Setup(model, generationConfig, null, null, null, null, null, null, null, null, null);
        }
    }

    /** Resumption: {@code {}} enables handles, {@code handle} resumes. {@code transparent} is Vertex-only and newer than the proto. */
    @ProtoName("SessionResumptionConfig")
    record SessionResumptionConfig(String handle, @Extension Boolean transparent) {}

    /** Context window compression: trigger and sliding-window target, in tokens. */
    @ProtoName("ContextWindowCompressionConfig")
    record ContextWindowCompressionConfig(@Int64 Long triggerTokens, @OneOf("compression_mechanism") SlidingWindow slidingWindow) {
        /** Sliding-window compression. */
        @ProtoName("ContextWindowCompressionConfig.SlidingWindow")
        public record SlidingWindow(@Int64 Long targetTokens) {}
    }

    /** Enables transcription; {@code languageCodes} (BCP-47 hints) is newer than the proto. */
    @ProtoName("AudioTranscriptionConfig")
    record AudioTranscriptionConfig(@Extension List<String> languageCodes) {
        /** The plain {@code {}} config. */
        public static final AudioTranscriptionConfig ENABLED = new AudioTranscriptionConfig(null);
    }

    /** Native-audio proactivity (newer than the proto). */
    @ProtoName("ProactivityConfig")
    record ProactivityConfig(Boolean proactiveAudio) {}

    /** Initial history via clientContent (Gemini 3.1; newer than the proto). */
    @ProtoName("HistoryConfig")
    record HistoryConfig(Boolean initialHistoryInClientContent) {}

    /** Turns appended to the conversation; {@code turnComplete} asks the model to answer. */
    @ProtoName("BidiGenerateContentClientContent")
    record ClientContent(List<Content> turns, boolean turnComplete) implements ClientMessage {
        /** One user text turn that completes the turn. */
        public static ClientContent userText(String text) {
            return new ClientContent(List.of(Content.text("user", text)), true);
        }
    }

    /** Realtime input: send one member per message. {@code mediaChunks} is deprecated but still sent by SDKs. */
    @ProtoName("BidiGenerateContentRealtimeInput")
    record RealtimeInput(
            List<Blob> mediaChunks,
            Blob audio,
            Boolean audioStreamEnd,
            Blob video,
            String text,
            ActivityStart activityStart,
            ActivityEnd activityEnd) implements ClientMessage {

        /** Marks the start of user activity (manual VAD). */
        @ProtoName("BidiGenerateContentRealtimeInput.ActivityStart")
        public record ActivityStart() {}

        /** Marks the end of user activity (manual VAD). */
        @ProtoName("BidiGenerateContentRealtimeInput.ActivityEnd")
        public record ActivityEnd() {}

        /** PCM audio at the given sample rate. */
        public static RealtimeInput ofAudio(byte[] pcm, int sampleRate) {
            return new RealtimeInput(null, new Blob(Blob.pcmMimeType(sampleRate), pcm), null, null, null, null, null);
        }

        /** A video frame (JPEG or PNG). */
        public static RealtimeInput ofVideo(String mimeType, byte[] image) {
            return new RealtimeInput(null, null, null, new Blob(mimeType, image), null, null, null);
        }

        /** Realtime text. */
        public static RealtimeInput ofText(String text) {
            return new RealtimeInput(null, null, null, null, text, null, null);
        }

        /** The microphone stream paused or closed. */
        public static RealtimeInput ofAudioStreamEnd() {
            return new RealtimeInput(null, null, Boolean.TRUE, null, null, null, null);
        }

        /** Manual VAD: user activity starts. */
        public static RealtimeInput ofActivityStart() {
            return new RealtimeInput(null, null, null, null, null, new ActivityStart(), null);
        }

        /** Manual VAD: user activity ends. */
        public static RealtimeInput ofActivityEnd() {
            return new RealtimeInput(null, null, null, null, null, null, new ActivityEnd());
        }
    }

    /** Answers to tool calls, matched by id. */
    @ProtoName("BidiGenerateContentToolResponse")
    record ToolResponse(List<FunctionResponse> functionResponses) implements ClientMessage {}

    /** Mid-session update of instructions and tools (2026; newer than the public v1beta proto). */
    @ProtoName("BidiGenerateContentContextUpdate")
    record ContextUpdate(Content systemInstruction, ToolsUpdate tools) implements ClientMessage {
        /** Wrapper so that "no update" differs from "clear all tools". */
        @ProtoName("ToolsUpdate")
        public record ToolsUpdate(List<Tool> tools) {}
    }
}
