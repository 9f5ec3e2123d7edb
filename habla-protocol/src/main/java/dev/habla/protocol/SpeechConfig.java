package dev.habla.protocol;

import java.util.List;

/** Voice and language of spoken answers. */
@ProtoName("SpeechConfig")
public record SpeechConfig(
        SpeechConfig.VoiceConfig voiceConfig,
        SpeechConfig.MultiSpeakerVoiceConfig multiSpeakerVoiceConfig,
        String languageCode) {
    /** Which voice speaks. */
    @ProtoName("VoiceConfig")
    public record VoiceConfig(@OneOf("voice_config") PrebuiltVoiceConfig prebuiltVoiceConfig) {}

    /** A prebuilt voice by name (Puck, Charon, Kore…). */
    @ProtoName("PrebuiltVoiceConfig")
    public record PrebuiltVoiceConfig(String voiceName) {}

    /** Several speakers (not supported by Live, present in the schema). */
    @ProtoName("MultiSpeakerVoiceConfig")
    public record MultiSpeakerVoiceConfig(List<SpeakerVoiceConfig> speakerVoiceConfigs) {}

    /** One speaker's voice. */
    @ProtoName("SpeakerVoiceConfig")
    public record SpeakerVoiceConfig(String speaker, VoiceConfig voiceConfig) {}

    /** A prebuilt voice, with an optional language code. */
    public static SpeechConfig voice(String voiceName, String languageCode) {
        return new SpeechConfig(new VoiceConfig(new PrebuiltVoiceConfig(voiceName)), null, languageCode);
    }
}
