/**
 * The Habla gateway: a server that speaks the Live API wire to browsers and mobile apps, mints ephemeral tokens with
 * an app's admin key, enforces per-app models and limits, accounts usage, and runs each client session upstream on a
 * {@link dev.habla.client.ResilientSession}. Start with {@link dev.habla.gateway.Gateway}; machinery is in
 * {@code dev.habla.gateway.internal}.
 */
package dev.habla.gateway;
