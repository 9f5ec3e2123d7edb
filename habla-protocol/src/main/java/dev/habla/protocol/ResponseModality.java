package dev.habla.protocol;

/** Response modality of a session (GenerationConfig.Modality numbering): exactly one per session. */
public enum ResponseModality { MODALITY_UNSPECIFIED, TEXT, IMAGE, AUDIO, UNRECOGNIZED }
