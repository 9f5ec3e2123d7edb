package dev.habla.emulator.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.habla.emulator.TurnInput;
import dev.habla.protocol.Blob;
import dev.habla.protocol.Content;
import dev.habla.protocol.FunctionDeclaration;
import dev.habla.protocol.FunctionResponse;
import dev.habla.realtime.ContentPart;
import dev.habla.realtime.Item;
import dev.habla.realtime.Tool;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The conversation of one OpenAI Realtime session: its items in order (what {@code conversation.item.*} edit), the
 * length of each user audio item, the images received since the last response, and the bridge to the emulator's brain:
 * what a {@code response.create} answers, as a {@link TurnInput}. Not thread-safe: used under the connection's lock.
 */
final class RealtimeConversation {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LinkedHashMap<String, Item> items = new LinkedHashMap<>();
    /** Seconds of audio of each user audio item (for {@code I heard …} and {@code [speech …]} in history). */
    private final Map<String, Double> speechSeconds = new HashMap<>();
    /** Item ids added since the last response started: what the next response answers. */
    private final List<String> sinceResponse = new ArrayList<>();
    private final List<Blob> images = new ArrayList<>();
    private int framesSinceTurn;
    private Blob lastFrame;

    boolean contains(String id) {
        return items.containsKey(id);
    }

    Item get(String id) {
        return items.get(id);
    }

    /** The id of the last item, or null when empty. */
    String lastId() {
        String last = null;
        for (String id : items.keySet()) {
            last = id;
        }
        return last;
    }

    /**
     * Adds {@code item} after {@code previousId} ({@code "root"} = first; null = at the end) and returns the id of the
     * item before it (null when first).
     */
    String add(Item item, String previousId) {
        if (previousId == null || items.isEmpty() && "root".equals(previousId)) {
            String before = lastId();
            items.put(item.id(), item);
            sinceResponse.add(item.id());
            collectImages(item);
            return before;
        }
        LinkedHashMap<String, Item> copy = new LinkedHashMap<>();
        if ("root".equals(previousId)) {
            copy.put(item.id(), item);
        }
        for (var e : items.entrySet()) {
            copy.put(e.getKey(), e.getValue());
            if (e.getKey().equals(previousId)) {
                copy.put(item.id(), item);
            }
        }
        items.clear();
        items.putAll(copy);
        sinceResponse.add(item.id());
        collectImages(item);
        return "root".equals(previousId) ? null : previousId;
    }

    /** Replaces an item (same id, same place). */
    void replace(Item item) {
        items.replace(item.id(), item);
    }

    boolean delete(String id) {
        sinceResponse.remove(id);
        speechSeconds.remove(id);
        return items.remove(id) != null;
    }

    void speech(String itemId, double seconds) {
        speechSeconds.put(itemId, seconds);
    }

    /** Whether a {@code function_call} item with this call id exists. */
    boolean hasCall(String callId) {
        return items.values().stream().anyMatch(i -> i instanceof Item.FunctionCall f && callId.equals(f.callId()));
    }

    private String callName(String callId) {
        for (Item i : items.values()) {
            if (i instanceof Item.FunctionCall f && callId.equals(f.callId())) {
                return f.name();
            }
        }
        return null;
    }

    private void collectImages(Item item) {
        if (!(item instanceof Item.Message m)) {
            return;
        }
        for (ContentPart c : m.content()) {
            if ("input_image".equals(c.type()) && c.imageUrl() != null) {
                Blob b = dataUrl(c.imageUrl());
                if (b != null) {
                    images.add(b);
                    framesSinceTurn++;
                    lastFrame = b;
                    while (images.size() > TurnInput.MAX_IMAGES) {
                        images.removeFirst();
                    }
                }
            }
        }
    }

    /** {@code data:image/png;base64,...} as a blob; null for other URLs (the emulator fetches nothing). */
    static Blob dataUrl(String url) {
        if (!url.startsWith("data:")) {
            return null;
        }
        int comma = url.indexOf(',');
        int semi = url.indexOf(";base64");
        if (comma < 0 || semi < 0 || semi > comma) {
            return null;
        }
        try {
            return new Blob(url.substring(5, semi), Base64.getMimeDecoder().decode(url.substring(comma + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * What the next response answers: the items added since the previous response started. Function call outputs
     * make a {@code TOOL_RESULTS} turn; else the last user message: its text ({@code TEXT}) or its audio
     * ({@code SPEECH}); else {@code NOTHING}. Starts the next turn's window.
     */
    TurnInput turnInput(List<Tool> tools, String model) {
        List<FunctionResponse> results = new ArrayList<>();
        String text = null;
        Double seconds = null;
        String currentUser = null;
        for (String id : sinceResponse) {
            Item i = items.get(id);
            if (i instanceof Item.FunctionCallOutput o) {
                results.add(FunctionResponse.of(o.callId(), callName(o.callId()), outputJson(o.output())));
            } else if (i instanceof Item.Message m && "user".equals(m.role())) {
                currentUser = id;
                String t = text(m);
                if (speechSeconds.containsKey(id)) {
                    seconds = speechSeconds.get(id);
                    text = null;
                } else if (t != null) {
                    text = t;
                    seconds = null;
                }
            }
        }
        sinceResponse.clear();
        List<Blob> imgs = List.copyOf(images);
        int frames = framesSinceTurn;
        images.clear();
        framesSinceTurn = 0;
        TurnInput.Kind kind = !results.isEmpty() ? TurnInput.Kind.TOOL_RESULTS
                : seconds != null ? TurnInput.Kind.SPEECH
                : text != null ? TurnInput.Kind.TEXT : TurnInput.Kind.NOTHING;
        return new TurnInput(kind, kind == TurnInput.Kind.TEXT ? text : null,
                kind == TurnInput.Kind.SPEECH ? seconds : 0, imgs, results, history(currentUser), conversation(),
                functions(tools), model, Math.max(frames, imgs.size()), lastFrame);
    }

    /** A tool output string as JSON: parsed when it is JSON, else a JSON string. */
    private static JsonNode outputJson(String output) {
        if (output == null) {
            return TextNode.valueOf("");
        }
        try {
            JsonNode n = JSON.readTree(output);
            return n == null ? TextNode.valueOf(output) : n;
        } catch (Exception e) {
            return TextNode.valueOf(output);
        }
    }

    /** The user turns before {@code current}, as the brain's {@code history} shows them. */
    List<String> history(String current) {
        List<String> out = new ArrayList<>();
        for (var e : items.entrySet()) {
            if (e.getKey().equals(current)) {
                continue;
            }
            if (e.getValue() instanceof Item.Message m && "user".equals(m.role())) {
                String turn = userTurn(e.getKey(), m);
                if (turn != null) {
                    out.add(turn);
                }
            }
        }
        return out;
    }

    private String userTurn(String id, Item.Message m) {
        if (speechSeconds.containsKey(id)) {
            return String.format(Locale.ROOT, "[speech %.2fs]", speechSeconds.get(id));
        }
        return text(m);
    }

    /** Every item as Live content: user and model text, function calls and outputs as text. */
    List<Content> conversation() {
        List<Content> out = new ArrayList<>();
        for (var e : items.entrySet()) {
            switch (e.getValue()) {
                case Item.Message m -> {
                    String t = "user".equals(m.role()) ? userTurn(e.getKey(), m) : text(m);
                    if (t != null) {
                        out.add(Content.text("assistant".equals(m.role()) ? "model" : m.role(), t));
                    }
                }
                case Item.FunctionCall f -> out.add(Content.text("model", "call " + f.name() + " " + f.arguments()));
                case Item.FunctionCallOutput o -> out.add(Content.text("user", "output " + o.output()));
                case Item.Other o -> { }
            }
        }
        return out;
    }

    /** The text of a message: its text parts joined by a space, or the transcripts of its audio parts; null if none. */
    static String text(Item.Message m) {
        List<String> parts = new ArrayList<>();
        for (ContentPart c : m.content()) {
            if (c.text() != null) {
                parts.add(c.text());
            } else if (c.transcript() != null && !c.transcript().isEmpty()) {
                parts.add(c.transcript());
            }
        }
        return parts.isEmpty() ? null : String.join(" ", parts);
    }

    private static Map<String, FunctionDeclaration> functions(List<Tool> tools) {
        Map<String, FunctionDeclaration> out = new LinkedHashMap<>();
        for (Tool t : tools) {
            if ("function".equals(t.type()) && t.name() != null) {
                out.put(t.name(), new FunctionDeclaration(t.name(), t.description(), null, t.parameters(), null, null, null));
            }
        }
        return out;
    }

    /** User turns (text or {@code [speech …]}), for snapshots. */
    List<String> userTurns() {
        return history(null);
    }
}
