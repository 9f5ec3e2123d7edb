package dev.habla.emulator.internal;

import dev.habla.protocol.Content;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state a conversation keeps across resumptions: user turns, the whole conversation, received audio and token
 * counters. Shared by the connections that resume it, so every member is guarded by {@code lock}.
 */
public final class LogicalSession {
    private final String id;
    private final String modelId;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<String> userTurns = new ArrayList<>();
    private final List<Content> conversation = new ArrayList<>();
    private final ByteArrayOutputStream audio = new ByteArrayOutputStream();
    private long textChars;
    private double promptAudioSeconds;

    public LogicalSession(String id, String modelId) {
        this.id = id;
        this.modelId = modelId;
    }

    public String id() {
        return id;
    }

    public String modelId() {
        return modelId;
    }

    /** Appends a user turn: {@code text} for history, {@code content} for the conversation. */
    public void addUserTurn(String text, Content content, double audioSeconds) {
        lock.lock();
        try {
            userTurns.add(text);
            conversation.add(content);
            if (audioSeconds > 0) {
                promptAudioSeconds += audioSeconds;
            } else {
                textChars += text.length();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Appends a turn that is not a user text turn (model turns, prefilled history, tool traffic). */
    public void addOtherTurn(Content content, long chars) {
        lock.lock();
        try {
            conversation.add(content);
            textChars += chars;
        } finally {
            lock.unlock();
        }
    }

    public void appendAudio(byte[] pcm) {
        lock.lock();
        try {
            audio.write(pcm, 0, pcm.length);
        } finally {
            lock.unlock();
        }
    }

    public List<String> userTurns() {
        lock.lock();
        try {
            return List.copyOf(userTurns);
        } finally {
            lock.unlock();
        }
    }

    public List<Content> conversation() {
        lock.lock();
        try {
            return List.copyOf(conversation);
        } finally {
            lock.unlock();
        }
    }

    public byte[] receivedAudio() {
        lock.lock();
        try {
            return audio.toByteArray();
        } finally {
            lock.unlock();
        }
    }

    /** Prompt tokens by modality: {@code [text, audio]} (text ≈ chars/4, audio 32 tokens per second). */
    public int[] promptTokens() {
        lock.lock();
        try {
            return new int[] {(int) Math.ceil(textChars / 4.0), (int) Math.round(promptAudioSeconds * 32)};
        } finally {
            lock.unlock();
        }
    }
}
