// An audio round trip: native-audio model, AUDIO modality, input and output transcription; ~1.5 s of speech-like
// 16 kHz PCM then ~1 s of silence via sendRealtimeInput({audio}); the server VAD ends the turn and the reply is audio.
import { Modality } from '@google/genai';
import { args, client, Inbox, run, speech, silence } from './lib.mjs';

run(async () => {
  const a = args();
  const inbox = new Inbox();
  const session = await client(a).live.connect({
    model: 'gemini-2.5-flash-native-audio-preview-12-2025',
    config: { responseModalities: [Modality.AUDIO], inputAudioTranscription: {}, outputAudioTranscription: {} },
    callbacks: inbox.callbacks(),
  });
  const pcm = Buffer.concat([speech(1500), silence(1000)]);
  const chunk = 3200; // 100 ms
  for (let off = 0; off < pcm.length; off += chunk) {
    session.sendRealtimeInput({ audio: { data: pcm.subarray(off, off + chunk).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
  }
  await inbox.until((i) => i.turnsComplete() >= 1, 20000, 'turnComplete');
  session.close();
  let audioChunks = 0;
  let audioBytes = 0;
  const mimeTypes = new Set();
  let output = '';
  let input = '';
  for (const m of inbox.messages) {
    const sc = m.serverContent || {};
    for (const p of (sc.modelTurn && sc.modelTurn.parts) || []) {
      if (p.inlineData) {
        audioChunks++;
        audioBytes += Buffer.from(p.inlineData.data, 'base64').length;
        mimeTypes.add(p.inlineData.mimeType);
      }
    }
    if (sc.outputTranscription && sc.outputTranscription.text) output += sc.outputTranscription.text;
    if (sc.inputTranscription && sc.inputTranscription.text) input += sc.inputTranscription.text;
  }
  return {
    audioChunks, audioBytes, mimeTypes: [...mimeTypes], outputTranscription: output, inputTranscription: input,
    turnComplete: inbox.turnsComplete(), sentBytes: pcm.length,
  };
});
