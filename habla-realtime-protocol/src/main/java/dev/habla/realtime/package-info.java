/**
 * The OpenAI Realtime API (GA WebSocket protocol at {@code /v1/realtime}) as Java records and its JSON codec.
 *
 * <p>{@link dev.habla.realtime.ClientEvent} and {@link dev.habla.realtime.ServerEvent} are sealed interfaces of
 * records, one per event {@code type}; {@link dev.habla.realtime.RealtimeCodec} encodes and decodes them. Events the
 * codec does not know are kept whole ({@code Unknown}), never dropped and never fatal. Shared shapes: {@link
 * dev.habla.realtime.Session}, {@link dev.habla.realtime.Item}, {@link dev.habla.realtime.ContentPart}, {@link
 * dev.habla.realtime.Response}. Field names follow the wire (snake_case there, camelCase here); Java {@code null}
 * means "absent on the wire".
 */
package dev.habla.realtime;
