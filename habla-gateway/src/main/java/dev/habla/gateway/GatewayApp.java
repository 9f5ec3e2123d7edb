package dev.habla.gateway;

import java.util.Objects;
import java.util.Set;

/**
 * One app (tenant) of a gateway: its admin key (held by the app's backend to mint tokens; never the provider key), the
 * models its sessions may use, and its limits.
 *
 * @param id                    name in metrics, logs and the usage endpoint
 * @param adminKey              secret; the gateway keeps only its SHA-256 hash; never printed ({@link #toString()})
 * @param allowedModels         model ids ({@code gemini-…}, with or without {@code models/}); empty = any model
 * @param maxConcurrentSessions sessions open at once (sessions waiting in their resumption grace period count); 0 = no limit
 * @param maxMinutesPerDay      session minutes per UTC day, summed over the app's sessions; 0 = no limit
 */
public record GatewayApp(String id, String adminKey, Set<String> allowedModels, int maxConcurrentSessions, int maxMinutesPerDay) {
    public GatewayApp {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(adminKey, "adminKey");
        if (id.isBlank() || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("app id must be 1-64 characters of [A-Za-z0-9._-]: " + id);
        }
        if (adminKey.length() < 16) {
            throw new IllegalArgumentException("admin key of app " + id + " is too short (at least 16 characters)");
        }
        allowedModels = Set.copyOf(allowedModels);
        if (maxConcurrentSessions < 0 || maxMinutesPerDay < 0) {
            throw new IllegalArgumentException("limits must be >= 0 (0 = no limit)");
        }
    }

    /** An app with no model restriction and no limits. */
    public static GatewayApp of(String id, String adminKey) {
        return new GatewayApp(id, adminKey, Set.of(), 0, 0);
    }

    /** Whether {@code model} ({@code models/…} or bare) may be used. */
    public boolean allows(String model) {
        if (allowedModels.isEmpty()) {
            return true;
        }
        String bare = model == null ? "" : model.startsWith("models/") ? model.substring(7) : model;
        return allowedModels.contains(bare) || allowedModels.contains("models/" + bare);
    }

    public GatewayApp withAllowedModels(Set<String> models) {
        return new GatewayApp(id, adminKey, models, maxConcurrentSessions, maxMinutesPerDay);
    }

    public GatewayApp withLimits(int concurrentSessions, int minutesPerDay) {
        return new GatewayApp(id, adminKey, allowedModels, concurrentSessions, minutesPerDay);
    }

    @Override
    public String toString() {
        return "GatewayApp[" + id + ", models=" + (allowedModels.isEmpty() ? "any" : allowedModels)
                + ", maxConcurrentSessions=" + maxConcurrentSessions + ", maxMinutesPerDay=" + maxMinutesPerDay + "]";
    }
}
