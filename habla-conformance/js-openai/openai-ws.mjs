// The official `openai` SDK's realtime WebSocket client (OpenAIRealtimeWS, Node `ws` transport) against the emulator:
// text turn, function call round trip, mid-session session.update, bad input answered with `error` (session kept),
// audio turn with server VAD and input transcription, barge-in (server VAD cancels; the client truncates).
// The SDK always dials wss:// (docs/openai-realtime.md §3): `createConnection` hands `ws` a plain TCP socket.
import net from 'node:net';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { API_KEY, Inbox, chunks, port, run, silence, tone } from './lib.mjs';

run(async () => {
  const p = port();
  const client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${p}/v1` });
  const inbox = new Inbox();
  const rt = new OpenAIRealtimeWS({
    model: 'gpt-realtime',
    options: { createConnection: (o) => net.connect(o.port, o.host || '127.0.0.1') },
  }, client);
  rt.on('error', (e) => inbox.error({ code: e.error && e.error.code, param: e.error && e.error.param, eventId: e.error && e.error.event_id, serverEventId: e.event_id, message: e.message }));
  rt.on('event', (e) => inbox.add(e));
  await inbox.until((i) => i.count('session.created') === 1, 10000, 'session.created');
  const result = { url: rt.url.toString() };

  // 1. text turn, with a tool declared
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['text'], instructions: 'Be brief.',
    tools: [{ type: 'function', name: 'lookup', description: 'look up', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }],
    tool_choice: 'auto' } });
  await inbox.until((i) => i.count('session.updated') === 1, 10000, 'session.updated');
  let from = inbox.events.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello from the openai SDK' }] } });
  rt.send({ type: 'response.create' });
  await inbox.until((i) => i.count('response.done') === 1, 10000, 'response.done 1');
  result.text = inbox.deltas('response.output_text.delta', from);
  result.textDoneStatus = inbox.of('response.done')[0].response.status;

  // 2. function call round trip
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'call lookup {"q":"moon"}' }] } });
  rt.send({ type: 'response.create' });
  await inbox.until((i) => i.count('response.done') === 2, 10000, 'response.done 2');
  const call = inbox.of('response.done')[1].response.output.find((o) => o.type === 'function_call');
  result.call = { name: call.name, arguments: JSON.parse(call.arguments), status: call.status };
  from = inbox.events.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: call.call_id, output: JSON.stringify({ phase: 'full' }) } });
  rt.send({ type: 'response.create' });
  await inbox.until((i) => i.count('response.done') === 3, 10000, 'response.done 3');
  result.toolReply = inbox.deltas('response.output_text.delta', from);

  // 3. mid-session session.update
  rt.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Now be verbose.' } });
  await inbox.until((i) => i.count('session.updated') === 2, 10000, 'session.updated 2');
  result.updatedInstructions = inbox.of('session.updated')[1].session.instructions;

  // 4. bad input: an in-band error, and the session goes on
  rt.send({ type: 'nope', event_id: 'bad_1' });
  await inbox.until((i) => i.errors.length === 1, 10000, 'error');
  result.error = inbox.errors[0];
  from = inbox.events.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'still there?' }] } });
  rt.send({ type: 'response.create' });
  await inbox.until((i) => i.count('response.done') === 4, 10000, 'response.done 4');
  result.afterError = inbox.deltas('response.output_text.delta', from);

  // 5. audio turn: server VAD, input transcription, audio reply with transcript
  rt.send({ type: 'session.update', session: { type: 'realtime', output_modalities: ['audio'],
    audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 500 } },
             output: { voice: 'marin' } } } });
  await inbox.until((i) => i.count('session.updated') === 3, 10000, 'session.updated 3');
  from = inbox.events.length;
  for (const c of chunks(Buffer.concat([tone(1000), silence(700)]))) rt.send({ type: 'input_audio_buffer.append', audio: c.toString('base64') });
  await inbox.until((i) => i.count('response.done') === 5, 20000, 'response.done 5');
  result.inputTranscript = inbox.of('conversation.item.input_audio_transcription.completed')[0].transcript;
  result.speechStarted = inbox.count('input_audio_buffer.speech_started');
  result.audioTranscript = inbox.deltas('response.output_audio_transcript.delta', from);
  result.audioBytes = inbox.events.slice(from).filter((e) => e.type === 'response.output_audio.delta')
    .reduce((n, e) => n + Buffer.from(e.delta, 'base64').length, 0);

  // 6. barge-in: the user talks over a long reply; server VAD cancels it; the client truncates what it played
  from = inbox.events.length;
  rt.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'tell me a long story about the sea and the ships and the sailors who crossed it for many years under the stars' }] } });
  rt.send({ type: 'response.create' });
  await inbox.until((i) => i.events.slice(from).some((e) => e.type === 'response.output_audio.delta'), 10000, 'first audio');
  const itemId = inbox.events.slice(from).find((e) => e.type === 'response.output_audio.delta').item_id;
  for (const c of chunks(tone(300))) rt.send({ type: 'input_audio_buffer.append', audio: c.toString('base64') });
  await inbox.until((i) => i.count('response.done') === 6, 10000, 'response.done 6 (cancelled)');
  const cancelled = inbox.of('response.done')[5].response;
  result.bargeIn = { status: cancelled.status, reason: cancelled.status_details && cancelled.status_details.reason };
  rt.send({ type: 'conversation.item.truncate', item_id: itemId, content_index: 0, audio_end_ms: 400 });
  await inbox.until((i) => i.count('conversation.item.truncated') === 1, 10000, 'conversation.item.truncated');
  rt.send({ type: 'conversation.item.retrieve', item_id: itemId });
  await inbox.until((i) => i.count('conversation.item.retrieved') === 1, 10000, 'conversation.item.retrieved');
  result.heard = inbox.of('conversation.item.retrieved')[0].item.content[0].transcript;

  result.missingEventIds = inbox.events.filter((e) => !e.event_id).length;
  rt.close();
  return result;
});
