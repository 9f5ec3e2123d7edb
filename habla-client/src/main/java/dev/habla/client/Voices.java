package dev.habla.client;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The prebuilt voices of the Gemini Live API (the 30 native-audio / Gemini TTS voices). Names are matched
 * case-insensitively and canonicalised, because users type {@code kore} and the service documents {@code Kore}.
 * {@link SessionConfig} canonicalises a known name and keeps any other as given (another provider's voice, or one the
 * service added since this release; the Gemini provider warns once when it connects with it). A provider's own list is
 * {@link Capabilities#voices()}.
 */
public final class Voices {
    private Voices() {}

    /** All 30 documented voices, in documentation order. */
    public static final List<String> ALL = List.of(
            "Zephyr", "Puck", "Charon", "Kore", "Fenrir", "Leda", "Orus", "Aoede", "Callirrhoe", "Autonoe",
            "Enceladus", "Iapetus", "Umbriel", "Algieba", "Despina", "Erinome", "Algenib", "Rasalgethi", "Laomedeia",
            "Achernar", "Alnilam", "Schedar", "Gacrux", "Pulcherrima", "Achird", "Zubenelgenubi", "Vindemiatrix",
            "Sadachbia", "Sadaltager", "Sulafat");

    /** OpenAI Realtime's voices (lower case, as the service spells them); {@code Capabilities#voices()} on OpenAI. */
    public static final List<String> OPENAI =
            List.of("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar");

    /** The 8 voices of half-cascade models (the first 8 of {@link #ALL}). */
    public static final List<String> HALF_CASCADE = ALL.subList(0, 8);

    private static final Map<String, String> BY_LOWER =
            ALL.stream().collect(Collectors.toUnmodifiableMap(v -> v.toLowerCase(Locale.ROOT), Function.identity()));

    /** True if {@code name} is a documented voice, in any letter case. */
    public static boolean isKnown(String name) {
        return name != null && BY_LOWER.containsKey(name.strip().toLowerCase(Locale.ROOT));
    }

    /**
     * The documented spelling of {@code name} ({@code "kore"} → {@code "Kore"}), for callers that want to refuse
     * unknown names themselves.
     *
     * @throws IllegalArgumentException if the voice is unknown; the message lists the valid names
     */
    public static String canonical(String name) {
        String v = name == null ? null : BY_LOWER.get(name.strip().toLowerCase(Locale.ROOT));
        if (v == null) {
            throw new IllegalArgumentException("unknown voice '" + name + "'; expected one of " + String.join(", ", ALL));
        }
        return v;
    }
}
