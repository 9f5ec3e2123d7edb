// The official @google/genai SDK (Node) against the Habla gateway: an app backend mints tokens with its admin key
// (ai.authTokens.create), the client side holds sessions with only the token. Scenarios: text, audio, tool, refusals,
// locked, resume. Usage: node sdk-node.mjs <scenario> <gatewayBaseUrl> <adminKey>
import { Modality } from '@google/genai';
import { args, backend, withToken, proxy, Inbox, run, speech, silence } from './lib.mjs';

const TEXT_MODEL = 'gemini-2.0-flash-live-001';
const AUDIO_MODEL = 'gemini-2.5-flash-native-audio-preview-09-2025';
const a = args();
const mint = (config = {}) => backend(a).authTokens.create({ config: { uses: 1, ...config } });

async function textTurn(session, inbox, text) {
  const from = inbox.messages.length, before = inbox.turnsComplete();
  session.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
  await inbox.until((i) => i.turnsComplete() > before, 15000, `reply to ${text}`);
  return inbox.text(from);
}

async function refusal(baseUrl, token, model = TEXT_MODEL) {
  try {
    const s = await withToken(baseUrl, token).live.connect({ model, config: { responseModalities: [Modality.TEXT] },
      callbacks: { onmessage: () => {}, onerror: () => {}, onclose: () => {} } });
    s.close();
    return 'connected';
  } catch (e) {
    return String(e.message || e);
  }
}

const scenarios = {
  async text() {
    const token = await mint();
    const inbox = new Inbox();
    const s = await withToken(a.baseUrl, token.name).live.connect({ model: TEXT_MODEL,
      config: { responseModalities: [Modality.TEXT] }, callbacks: inbox.callbacks() });
    const first = await textTurn(s, inbox, 'Hello from the JS SDK');
    const second = await textTurn(s, inbox, 'what is up');
    const history = await textTurn(s, inbox, 'history');
    s.close();
    return { token: token.name.replace(/[0-9a-f]{64}$/, 'HEX'), first, second, history,
      usage: inbox.messages.filter((m) => m.usageMetadata).length };
  },

  async audio() {
    const token = await mint();
    const inbox = new Inbox();
    const s = await withToken(a.baseUrl, token.name).live.connect({ model: AUDIO_MODEL,
      config: { responseModalities: [Modality.AUDIO], inputAudioTranscription: {}, outputAudioTranscription: {} },
      callbacks: inbox.callbacks() });
    const pcm = Buffer.concat([speech(1500), silence(1000)]);
    for (let off = 0; off < pcm.length; off += 3200) {
      s.sendRealtimeInput({ audio: { data: pcm.subarray(off, off + 3200).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
    }
    await inbox.until((i) => i.turnsComplete() >= 1, 20000, 'turnComplete');
    s.close();
    let audioChunks = 0, input = '', output = '';
    const mimeTypes = new Set();
    for (const m of inbox.messages) {
      const sc = m.serverContent || {};
      for (const p of (sc.modelTurn && sc.modelTurn.parts) || []) if (p.inlineData) { audioChunks++; mimeTypes.add(p.inlineData.mimeType); }
      if (sc.inputTranscription && sc.inputTranscription.text) input += sc.inputTranscription.text;
      if (sc.outputTranscription && sc.outputTranscription.text) output += sc.outputTranscription.text;
    }
    return { audioChunks, mimeTypes: [...mimeTypes], inputTranscription: input, outputTranscription: output };
  },

  async tool() {
    const token = await mint();
    const inbox = new Inbox();
    const s = await withToken(a.baseUrl, token.name).live.connect({ model: TEXT_MODEL,
      config: { responseModalities: [Modality.TEXT], tools: [{ functionDeclarations: [{ name: 'get_weather',
        description: 'Weather in a city', parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } } } }] }] },
      callbacks: inbox.callbacks() });
    s.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'call get_weather {"city":"Paris"}' }] }], turnComplete: true });
    await inbox.until((i) => i.messages.some((m) => m.toolCall), 15000, 'toolCall');
    const call = inbox.messages.find((m) => m.toolCall).toolCall.functionCalls[0];
    const from = inbox.messages.length;
    s.sendToolResponse({ functionResponses: [{ id: call.id, name: call.name, response: { sky: 'clear' } }] });
    await inbox.until((i) => i.turnsComplete() >= 1, 15000, 'reply after the tool');
    s.close();
    return { call: { name: call.name, args: call.args }, reply: inbox.text(from) };
  },

  async refusals() {
    const used = await mint({ uses: 1 });
    const first = await refusal(a.baseUrl, used.name);
    const second = await refusal(a.baseUrl, used.name);
    const wrong = await refusal(a.baseUrl, 'auth_tokens/' + '0'.repeat(64));
    const soon = new Date(Date.now() + 1500).toISOString();
    const late = await mint({ uses: 0, newSessionExpireTime: soon, expireTime: new Date(Date.now() + 3000).toISOString() });
    await new Promise((r) => setTimeout(r, 1700)); // let newSessionExpireTime pass (the point of this case)
    const newSessionExpired = await refusal(a.baseUrl, late.name);
    await new Promise((r) => setTimeout(r, 1500));
    const expired = await refusal(a.baseUrl, late.name);
    let badAdmin;
    try {
      await backend({ baseUrl: a.baseUrl, adminKey: 'not-the-admin-key' }).authTokens.create({ config: {} });
      badAdmin = 'minted';
    } catch (e) {
      badAdmin = { status: e.status, message: String(e.message) };
    }
    return { first, second, wrong, newSessionExpired, expired, badAdmin };
  },

  async locked() {
    // Constraints without lockAdditionalFields: every field locked (the client's are ignored).
    const all = await mint({ liveConnectConstraints: { model: TEXT_MODEL, config: { responseModalities: [Modality.TEXT],
      temperature: 0.5, systemInstruction: 'Always answer in English.' } } });
    const inbox = new Inbox();
    const s = await withToken(a.baseUrl, all.name).live.connect({ model: TEXT_MODEL,
      config: { responseModalities: [Modality.TEXT], temperature: 1.7, systemInstruction: 'Réponds en français.' },
      callbacks: inbox.callbacks() });
    const reply = await textTurn(s, inbox, 'locked-all');
    s.close();
    // lockAdditionalFields: ['temperature'] with constraints that do not set it: temperature locked to unset.
    const some = await mint({ liveConnectConstraints: { model: TEXT_MODEL, config: { responseModalities: [Modality.TEXT] } },
      lockAdditionalFields: ['temperature'] });
    const inbox2 = new Inbox();
    const s2 = await withToken(a.baseUrl, some.name).live.connect({ model: TEXT_MODEL,
      config: { responseModalities: [Modality.TEXT], temperature: 1.7, systemInstruction: 'Réponds en français.' },
      callbacks: inbox2.callbacks() });
    const reply2 = await textTurn(s2, inbox2, 'locked-some');
    s2.close();
    return { reply, reply2 };
  },

  async resume() {
    // A network loss between client and gateway (a TCP proxy cut), then the same token and the gateway's handle.
    const p = await proxy(a.baseUrl);
    const token = await mint({ uses: 1 });
    const inbox = new Inbox();
    const config = { responseModalities: [Modality.TEXT], sessionResumption: {} };
    const s = await withToken(p.url, token.name).live.connect({ model: TEXT_MODEL, config, callbacks: inbox.callbacks() });
    const hello = await textTurn(s, inbox, 'hello before the drop');
    await inbox.until((i) => i.messages.some((m) => m.sessionResumptionUpdate && m.sessionResumptionUpdate.newHandle), 5000, 'handle');
    const handle = inbox.messages.filter((m) => m.sessionResumptionUpdate && m.sessionResumptionUpdate.newHandle).pop()
      .sessionResumptionUpdate.newHandle;
    p.cut();
    await inbox.until((i) => i.closeEvent, 10000, 'the drop seen by the client');
    const inbox2 = new Inbox();
    const s2 = await withToken(p.url, token.name).live.connect({ model: TEXT_MODEL,
      config: { responseModalities: [Modality.TEXT], sessionResumption: { handle } }, callbacks: inbox2.callbacks() });
    const history = await textTurn(s2, inbox2, 'history');
    s2.close();
    p.close();
    return { hello, handlePrefix: handle.slice(0, 3), dropCode: inbox.closeEvent.code, history };
  },
};

run(async () => {
  const fn = scenarios[a.scenario];
  if (!fn) throw new Error('unknown scenario ' + a.scenario);
  return fn();
});
