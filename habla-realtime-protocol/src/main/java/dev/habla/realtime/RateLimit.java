package dev.habla.realtime;

/** One entry of {@code rate_limits.updated}: {@code name} is {@code requests} or {@code tokens}. */
public record RateLimit(String name, long limit, long remaining, double resetSeconds) {}
