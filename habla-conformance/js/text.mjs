// A text turn: connect (TEXT modality), send one user turn, receive the streamed text and turnComplete.
import { Modality } from '@google/genai';
import { args, client, Inbox, run } from './lib.mjs';

run(async () => {
  const a = args();
  const inbox = new Inbox();
  const session = await client(a).live.connect({
    model: 'gemini-2.0-flash-live-001',
    config: { responseModalities: [Modality.TEXT] },
    callbacks: inbox.callbacks(),
  });
  session.sendClientContent({ turns: 'Hello from the JS SDK', turnComplete: true });
  await inbox.until((i) => i.turnsComplete() >= 1, 10000, 'turnComplete');
  session.close();
  return {
    text: inbox.text(),
    turnComplete: inbox.turnsComplete(),
    generationComplete: inbox.count((m) => m.serverContent && m.serverContent.generationComplete),
    usage: inbox.messages.filter((m) => m.usageMetadata).map((m) => m.usageMetadata).pop() || null,
    keys: inbox.keys(),
  };
});
