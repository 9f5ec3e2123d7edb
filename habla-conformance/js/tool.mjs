// A tool call round trip: declare get_time, ask for it, answer with sendToolResponse using the received id.
import { Modality } from '@google/genai';
import { args, client, Inbox, run } from './lib.mjs';

run(async () => {
  const a = args();
  const inbox = new Inbox();
  let call = null;
  const session = await client(a).live.connect({
    model: 'gemini-2.0-flash-live-001',
    config: {
      responseModalities: [Modality.TEXT],
      tools: [{ functionDeclarations: [{ name: 'get_time', description: 'Current time in a time zone',
        parameters: { type: 'OBJECT', properties: { tz: { type: 'STRING' } }, required: ['tz'] } }] }],
    },
    callbacks: inbox.callbacks(),
  });
  session.sendClientContent({ turns: 'call get_time {"tz":"UTC"}', turnComplete: true });
  await inbox.until((i) => i.messages.some((m) => m.toolCall), 10000, 'toolCall');
  call = inbox.messages.find((m) => m.toolCall).toolCall.functionCalls[0];
  const before = inbox.messages.length;
  session.sendToolResponse({ functionResponses: [{ id: call.id, name: call.name, response: { time: '12:00' } }] });
  await inbox.until((i) => i.turnsComplete() >= 1, 10000, 'turnComplete');
  session.close();
  return { call, reply: inbox.text(before), turnComplete: inbox.turnsComplete(), keys: inbox.keys() };
});
