// Gemini 3.1 Flash Live as the JS SDK sees it: realtime text is answered (audio + transcript, several parts per event
// allowed), clientContent mid-session ends the session with close 1007; historyConfig is given in the config, and a
// second connection tries to seed history with clientContent before any realtime input.
import { Modality } from '@google/genai';
import { args, client, Inbox, run } from './lib.mjs';

const MODEL = 'gemini-3.1-flash-live-preview';

run(async () => {
  const a = args();
  const ai = client(a);
  const config = {
    responseModalities: [Modality.AUDIO],
    outputAudioTranscription: {},
    thinkingConfig: { thinkingLevel: 'HIGH' },
    historyConfig: { initialHistoryInClientContent: true },
  };
  const inbox = new Inbox();
  const session = await ai.live.connect({ model: MODEL, config, callbacks: inbox.callbacks() });
  session.sendRealtimeInput({ text: 'hello from js on 3.1' });
  await inbox.until((i) => i.turnsComplete() >= 1, 20000, 'turnComplete');
  let audioChunks = 0;
  let audioWithTranscript = 0;
  let transcript = '';
  for (const m of inbox.messages) {
    const sc = m.serverContent || {};
    const audio = ((sc.modelTurn && sc.modelTurn.parts) || []).some((p) => p.inlineData);
    if (audio) audioChunks++;
    if (audio && sc.outputTranscription) audioWithTranscript++;
    if (sc.outputTranscription && sc.outputTranscription.text) transcript += sc.outputTranscription.text;
  }
  session.sendClientContent({ turns: 'typed via clientContent', turnComplete: true });
  await inbox.until((i) => i.closeEvent, 10000, 'close after clientContent');

  const seed = new Inbox();
  const s2 = await ai.live.connect({ model: MODEL, config, callbacks: seed.callbacks() });
  s2.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'my name is Ada' }] }], turnComplete: true });
  await seed.until((i) => i.closeEvent, 10000, 'close after seeding history');
  return {
    transcript, audioChunks, audioWithTranscript, turnComplete: inbox.turnsComplete(),
    midSessionClose: inbox.closeEvent, seedClose: seed.closeEvent, seedMessages: seed.keys(),
  };
});
