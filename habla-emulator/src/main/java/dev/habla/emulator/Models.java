package dev.habla.emulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The models an emulator accepts in {@code setup.model} (as {@code models/X} or bare {@code X}) and how each treats
 * response modalities. Immutable.
 *
 * <p>{@link #defaults()}:
 * <ul>
 *   <li>half-cascade, TEXT or AUDIO (no modality = TEXT): {@code gemini-2.0-flash-exp}, {@code gemini-2.0-flash-live-001},
 *       {@code gemini-live-2.5-flash-preview}</li>
 *   <li>native audio, AUDIO only (no modality = AUDIO; TEXT closes 1007 "Cannot extract voices from a non-audio
 *       request."): {@code gemini-2.5-flash-native-audio-preview-09-2025},
 *       {@code gemini-2.5-flash-native-audio-preview-12-2025}, {@code gemini-2.5-flash-native-audio-latest}</li>
 *   <li>Gemini 3 Live, AUDIO only (TEXT closes 1011 "Internal error encountered.", as reported):
 *       {@code gemini-3.1-flash-live-preview}</li>
 * </ul>
 */
public final class Models {

    /** How a model generates speech, which decides the modalities it accepts. */
    public enum Kind {
        /** Native audio in, text model, TTS out: TEXT or AUDIO; TEXT when no modality is given. */
        HALF_CASCADE,
        /** Native audio generation: AUDIO only; TEXT is rejected with 1007. */
        NATIVE_AUDIO,
        /**
         * Gemini 3.x Live: AUDIO only (TEXT is rejected with 1011 "Internal error encountered."); {@code clientContent}
         * is accepted only as initial history under {@code historyConfig.initialHistoryInClientContent}, else 1007;
         * audio and its transcript travel in the same server event.
         */
        GEMINI_3_LIVE
    }

    /** One accepted model. {@code id} is without the {@code models/} prefix. */
    public record Model(String id, Kind kind) {
        public Model {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(kind, "kind");
            if (id.startsWith("models/")) {
                id = id.substring("models/".length());
            }
        }

        /** Whether the model can answer in TEXT. */
        public boolean supportsText() {
            return kind == Kind.HALF_CASCADE;
        }

        /**
         * The context window in tokens, which sets the default {@code contextWindowCompression.triggerTokens} (80 %):
         * 131 072 for native audio ([docs] model page of the 12-2025 native-audio model) and, by assumption, Gemini 3
         * Live; 32 768 for the other Live models ([docs] "other Live models 32k").
         */
        public long contextWindowTokens() {
            return kind == Kind.HALF_CASCADE ? 32_768 : 131_072;
        }

        /**
         * Gemini 3.x Live rules: {@code clientContent} only as initial history ({@code historyConfig}), several parts
         * per server event.
         */
        public boolean isGemini3Live() {
            return kind == Kind.GEMINI_3_LIVE;
        }
    }

    private final Map<String, Model> byId;

    private Models(Map<String, Model> byId) {
        this.byId = Collections.unmodifiableMap(new LinkedHashMap<>(byId));
    }

    /** The default list (see the class comment). */
    public static Models defaults() {
        return builder()
                .add("gemini-2.0-flash-exp", Kind.HALF_CASCADE)
                .add("gemini-2.0-flash-live-001", Kind.HALF_CASCADE)
                .add("gemini-live-2.5-flash-preview", Kind.HALF_CASCADE)
                .add("gemini-2.5-flash-native-audio-preview-09-2025", Kind.NATIVE_AUDIO)
                .add("gemini-2.5-flash-native-audio-preview-12-2025", Kind.NATIVE_AUDIO)
                .add("gemini-2.5-flash-native-audio-latest", Kind.NATIVE_AUDIO)
                .add("gemini-3.1-flash-live-preview", Kind.GEMINI_3_LIVE)
                .build();
    }

    /** Exactly these models. */
    public static Models of(Model... models) {
        Builder b = builder();
        for (Model m : models) {
            b.add(m);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder(new LinkedHashMap<>());
    }

    /** A builder starting from this list, to add or remove models. */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(byId));
    }

    /** Looks up {@code models/X} or {@code X}. */
    public Optional<Model> find(String model) {
        if (model == null) {
            return Optional.empty();
        }
        String id = model.startsWith("models/") ? model.substring("models/".length()) : model;
        return Optional.ofNullable(byId.get(id));
    }

    /** All models, in insertion order. */
    public List<Model> all() {
        return List.copyOf(new ArrayList<>(byId.values()));
    }

    @Override
    public String toString() {
        return "Models" + byId.values();
    }

    /** Builds a {@link Models}. Not thread-safe. */
    public static final class Builder {
        private final LinkedHashMap<String, Model> byId;

        private Builder(LinkedHashMap<String, Model> byId) {
            this.byId = byId;
        }

        public Builder add(String id, Kind kind) {
            return add(new Model(id, kind));
        }

        public Builder add(Model model) {
            byId.put(model.id(), model);
            return this;
        }

        public Builder remove(String id) {
            byId.remove(id.startsWith("models/") ? id.substring("models/".length()) : id);
            return this;
        }

        public Models build() {
            return new Models(byId);
        }
    }
}
