package dev.habla.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.habla.protocol.ClientMessage;
import dev.habla.protocol.LiveCodec;
import dev.habla.protocol.Part;
import dev.habla.protocol.ServerFrame;
import dev.habla.protocol.ServerMessage;
import dev.habla.protocol.Strictness;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** Setups and helpers shared by the tests. */
final class Fixtures {
    static final String HALF = "models/gemini-2.0-flash-live-001";
    static final String NATIVE = "models/gemini-2.5-flash-native-audio-preview-12-2025";

    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    /** A setup message built as wire JSON, so tests do not depend on record constructors. */
    static SetupJson setup(String model, String modality) {
        return new SetupJson(model, modality);
    }

    static SetupJson text() {
        return setup(HALF, "TEXT");
    }

    static SetupJson audio() {
        return setup(NATIVE, "AUDIO");
    }

    static final class SetupJson {
        private final ObjectNode root = JSON.createObjectNode();
        private final ObjectNode setup = root.putObject("setup");

        SetupJson(String model, String modality) {
            setup.put("model", model);
            if (modality != null) {
                setup.putObject("generationConfig").putArray("responseModalities").add(modality);
            }
        }

        SetupJson tools(String... blockingNames) {
            ArrayNode decls = setup.withArray("tools").addObject().putArray("functionDeclarations");
            for (String n : blockingNames) {
                decls.addObject().put("name", n).put("description", "test function " + n);
            }
            return this;
        }

        SetupJson nonBlockingTool(String name) {
            setup.withArray("tools").addObject().putArray("functionDeclarations").addObject()
                    .put("name", name).put("behavior", "NON_BLOCKING");
            return this;
        }

        SetupJson resumable(String handle) {
            ObjectNode r = setup.putObject("sessionResumption");
            if (handle != null) {
                r.put("handle", handle);
            }
            return this;
        }

        SetupJson transcribed() {
            setup.putObject("inputAudioTranscription");
            setup.putObject("outputAudioTranscription");
            return this;
        }

        SetupJson manualActivity() {
            setup.withObject("realtimeInputConfig").putObject("automaticActivityDetection").put("disabled", true);
            return this;
        }

        SetupJson vad(String startSensitivity, String endSensitivity, int prefixMs, int silenceMs) {
            ObjectNode a = setup.withObject("realtimeInputConfig").putObject("automaticActivityDetection");
            if (startSensitivity != null) {
                a.put("startOfSpeechSensitivity", startSensitivity);
            }
            if (endSensitivity != null) {
                a.put("endOfSpeechSensitivity", endSensitivity);
            }
            a.put("prefixPaddingMs", prefixMs).put("silenceDurationMs", silenceMs);
            return this;
        }

        SetupJson noInterruption() {
            setup.withObject("realtimeInputConfig").put("activityHandling", "NO_INTERRUPTION");
            return this;
        }

        /** Edits the setup object directly (fields without a helper). */
        SetupJson raw(java.util.function.Consumer<ObjectNode> edit) {
            edit.accept(setup);
            return this;
        }

        /** {@code contextWindowCompression}; null bounds are left out (server defaults). int64 as strings, like JS. */
        SetupJson compression(Long triggerTokens, Long targetTokens) {
            ObjectNode c = setup.putObject("contextWindowCompression");
            if (triggerTokens != null) {
                c.put("triggerTokens", triggerTokens.toString());
            }
            ObjectNode w = c.putObject("slidingWindow");
            if (targetTokens != null) {
                w.put("targetTokens", targetTokens.toString());
            }
            return this;
        }

        SetupJson systemInstruction(String text) {
            setup.putObject("systemInstruction").put("role", "user").putArray("parts").addObject().put("text", text);
            return this;
        }

        String json() {
            return root.toString();
        }

        ClientMessage.Setup message() {
            return (ClientMessage.Setup) LiveCodec.decodeClient(json(), Strictness.STRICT).message();
        }
    }

    static ServerMessage.ServerContent content(ServerFrame f) {
        return f.message() instanceof ServerMessage.ServerContent sc ? sc : null;
    }

    /** Concatenated text of the model-turn text parts in these frames. */
    static String text(List<ServerFrame> frames) {
        StringBuilder b = new StringBuilder();
        for (ServerFrame f : frames) {
            ServerMessage.ServerContent sc = content(f);
            if (sc != null && sc.modelTurn() != null) {
                for (Part p : sc.modelTurn().parts()) {
                    if (p.text() != null) {
                        b.append(p.text());
                    }
                }
            }
        }
        return b.toString();
    }

    /** Concatenated inline audio bytes of these frames. */
    static byte[] audio(List<ServerFrame> frames) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (ServerFrame f : frames) {
            ServerMessage.ServerContent sc = content(f);
            if (sc != null && sc.modelTurn() != null) {
                for (Part p : sc.modelTurn().parts()) {
                    if (p.inlineData() != null) {
                        out.writeBytes(p.inlineData().data());
                    }
                }
            }
        }
        return out.toByteArray();
    }

    static String outputTranscript(List<ServerFrame> frames) {
        StringBuilder b = new StringBuilder();
        for (ServerFrame f : frames) {
            ServerMessage.ServerContent sc = content(f);
            if (sc != null && sc.outputTranscription() != null) {
                b.append(sc.outputTranscription().text());
            }
        }
        return b.toString();
    }

    /** PCM16 LE mono: a voiced signal of {@code ms} milliseconds at {@code rate}. */
    static byte[] tone(int ms, int rate) {
        int n = rate * ms / 1000;
        byte[] b = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            int s = (int) (8000 * Math.sin(2 * Math.PI * 220 * i / rate) + 3000 * Math.sin(2 * Math.PI * 440 * i / rate));
            b[2 * i] = (byte) s;
            b[2 * i + 1] = (byte) (s >> 8);
        }
        return b;
    }

    static byte[] silence(int ms, int rate) {
        return new byte[rate * ms / 1000 * 2];
    }

    /** A real 2×2 JPEG: the emulator refuses frames whose data is not a decodable image. */
    static byte[] jpeg() {
        return tinyImage("jpg");
    }

    /** A real 2×2 PNG. */
    static byte[] png() {
        return tinyImage("png");
    }

    private static byte[] tinyImage(String format) {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
