// voiceActivity as the JS SDK passes it through (raw JSON in Gemini API mode): 1.5 s of speech-like audio then 1 s of
// silence to gemini-3.1-flash-live-preview with automatic activity detection on.
import { Modality } from '@google/genai';
import { args, client, Inbox, run, speech, silence } from './lib.mjs';

run(async () => {
  const a = args();
  const inbox = new Inbox();
  const session = await client(a).live.connect({
    model: 'gemini-3.1-flash-live-preview',
    config: { responseModalities: [Modality.AUDIO], inputAudioTranscription: {} },
    callbacks: inbox.callbacks(),
  });
  const pcm = Buffer.concat([speech(1500), silence(1000)]);
  const chunk = 3200; // 100 ms
  for (let off = 0; off < pcm.length; off += chunk) {
    session.sendRealtimeInput({ audio: { data: pcm.subarray(off, off + chunk).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
  }
  await inbox.until((i) => i.turnsComplete() >= 1, 20000, 'turnComplete');
  session.close();
  return {
    voiceActivity: inbox.messages.filter((m) => m.voiceActivity).map((m) => m.voiceActivity),
    order: inbox.keys().slice(0, 4),
  };
});
