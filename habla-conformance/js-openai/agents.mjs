// @openai/agents-realtime's RealtimeSession (OpenAIRealtimeWebSocket transport, Node `ws`) against the emulator:
// text turn, function call round trip (the SDK runs the tool, sends function_call_output and response.create),
// mid-session session.update, bad input answered with `error` (session kept), then an audio session: server-VAD
// audio turn with input transcription and spoken reply, and barge-in, where the SDK sends its conversation.item.truncate.
import { OpenAIRealtimeWebSocket, RealtimeAgent, RealtimeSession, tool } from '@openai/agents-realtime';
import { z } from 'zod';
import { API_KEY, Inbox, chunks, port, run, silence, tone } from './lib.mjs';

function watch(session) {
  const inbox = new Inbox();
  inbox.ends = [];
  inbox.audio = 0;
  inbox.interrupted = 0;
  inbox.tools = [];
  session.on('transport_event', (e) => inbox.add(e));
  session.on('agent_end', (_ctx, _agent, output) => { inbox.ends.push(output); inbox.check(); });
  session.on('agent_tool_end', (_ctx, _agent, t, result) => { inbox.tools.push({ name: t.name, result }); inbox.check(); });
  session.on('audio', (e) => { inbox.audio += e.data.byteLength; inbox.check(); });
  session.on('audio_interrupted', () => { inbox.interrupted++; inbox.check(); });
  session.on('error', (e) => {
    const err = e && e.error && e.error.error ? e.error.error : e && e.error;
    inbox.error({ code: err && err.code, eventId: err && err.event_id, message: String(err && err.message) });
  });
  return inbox;
}

run(async () => {
  const url = `ws://127.0.0.1:${port()}/v1/realtime?model=gpt-realtime`;
  const getWeather = tool({
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => `sunny in ${city}`,
  });
  const agent = new RealtimeAgent({ name: 'Assistant', instructions: 'Be helpful.', tools: [getWeather] });
  const result = {};

  // ---- a text session ----
  const text = new RealtimeSession(agent, { transport: new OpenAIRealtimeWebSocket(), model: 'gpt-realtime',
    config: { outputModalities: ['text'] } });
  const t = watch(text);
  await text.connect({ apiKey: API_KEY, url });
  await t.until((i) => i.count('session.created') === 1 && i.count('session.updated') >= 1, 10000, 'session.created/updated');
  text.sendMessage('Hello agents');
  await t.until((i) => i.ends.length === 1, 10000, 'agent_end 1');
  result.text = t.ends[0];

  text.sendMessage('call get_weather {"city":"Paris"}');
  await t.until((i) => i.ends.length === 3, 15000, 'agent_end after the tool');
  result.tools = t.tools;
  result.toolReply = t.ends[2];

  const updates = t.count('session.updated');
  text.transport.updateSessionConfig({ instructions: 'Now be verbose.' });
  await t.until((i) => i.count('session.updated') > updates, 10000, 'session.updated after update');
  result.updatedInstructions = t.of('session.updated').at(-1).session.instructions;

  text.transport.sendEvent({ type: 'nope', event_id: 'bad_1' });
  await t.until((i) => i.errors.length >= 1, 10000, 'error');
  result.error = t.errors[0];
  text.sendMessage('still there?');
  await t.until((i) => i.ends.length === 4, 10000, 'agent_end after the error');
  result.afterError = t.ends[3];
  result.textMissingEventIds = t.events.filter((e) => !e.event_id).length;
  text.close();

  // ---- an audio session (the SDK's defaults: audio out; server VAD here) ----
  const voice = new RealtimeSession(agent, { transport: new OpenAIRealtimeWebSocket(), model: 'gpt-realtime',
    config: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turnDetection: { type: 'server_vad', silenceDurationMs: 500 } },
                       output: { voice: 'marin' } } } });
  const v = watch(voice);
  await voice.connect({ apiKey: API_KEY, url });
  await v.until((i) => i.count('session.updated') >= 1, 10000, 'session.updated');
  for (const c of chunks(Buffer.concat([tone(1000), silence(700)]))) {
    voice.sendAudio(c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength));
  }
  await v.until((i) => i.ends.length === 1, 20000, 'agent_end of the audio turn');
  result.audioReply = v.ends[0];
  result.audioBytes = v.audio;
  const transcription = v.of('conversation.item.input_audio_transcription.completed');
  result.inputTranscript = transcription.length ? transcription[0].transcript : null;

  voice.sendMessage('tell me a long story about the sea and the ships and the sailors who crossed it for many years under the stars');
  const before = v.audio;
  await v.until((i) => i.audio > before, 10000, 'first audio of the long reply');
  for (const c of chunks(tone(300))) voice.sendAudio(c.buffer.slice(c.byteOffset, c.byteOffset + c.byteLength));
  await v.until((i) => i.interrupted >= 1 && i.count('conversation.item.truncated') >= 1, 10000, 'audio_interrupted + truncated');
  const done = v.of('response.done').map((e) => e.response);
  const cancelled = done.find((r) => r.status === 'cancelled');
  result.bargeIn = { status: cancelled && cancelled.status, reason: cancelled && cancelled.status_details && cancelled.status_details.reason,
    truncatedMs: v.of('conversation.item.truncated')[0].audio_end_ms };
  await v.until((i) => i.count('conversation.item.retrieved') >= 1, 10000, 'conversation.item.retrieved');
  result.heard = v.of('conversation.item.retrieved')[0].item.content[0].transcript;
  result.voiceMissingEventIds = v.events.filter((e) => !e.event_id).length;
  voice.close();
  return result;
});
