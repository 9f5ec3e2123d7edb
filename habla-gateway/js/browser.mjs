// Headless Chromium (Debian chromium + playwright-core 1.65.1) against the Habla gateway, with a fake microphone (WAV)
// and camera (Y4M) written here. Scenarios:
//   sdk     the official @google/genai browser build (dist/web/index.mjs, p-retry mapped by an import map) on a page
//           of another loopback origin: text turn, history, tool round trip, mic audio round trip with
//           transcriptions, wrong and used-up tokens refused (the page reads code and reason)
//   console the gateway's console at / : typed text answered, barge-in silences playback, speech in -> transcript and
//           reply audio played, camera frames sent; no console errors
//   dropin  <habla-talk> on a page of another origin whose backend route mints tokens: speech in, spoken answer, transcript
//   long    an SDK session of <seconds> with a turn every <gap> s while the upstream's connections are short (the
//           Java side sets the emulator), then a network drop (TCP proxy cut) and a resume with the gateway's handle
// Usage: node browser.mjs <scenario> <gatewayBaseUrl> <adminKey> [seconds gap]
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { args, backend, proxy, run, speech, silence } from './lib.mjs';

const a = args();
const here = path.dirname(new URL(import.meta.url).pathname);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-browser-'));

function wav(pcm, rate = 16000) {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0); h.writeUInt32LE(36 + pcm.length, 4); h.write('WAVE', 8); h.write('fmt ', 12);
  h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write('data', 36); h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

function y4m(w = 320, h = 240, frames = 15) {
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F15:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f++) {
    const y = Buffer.alloc(w * h);
    for (let i = 0; i < y.length; i++) y[i] = ((i % w) + f * 8) & 0xff; // moving gradient
    parts.push(Buffer.from('FRAME\n'), y, Buffer.alloc((w / 2) * (h / 2), 90), Buffer.alloc((w / 2) * (h / 2), 160));
  }
  return Buffer.concat(parts);
}

async function launch() {
  const mic = path.join(tmp, 'mic.wav');
  fs.writeFileSync(mic, wav(Buffer.concat([silence(500), speech(2000), silence(3000)])));
  const cam = path.join(tmp, 'cam.y4m');
  fs.writeFileSync(cam, y4m());
  return chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required', `--use-file-for-fake-audio-capture=${mic}%noloop`,
      `--use-file-for-fake-video-capture=${cam}`],
  });
}

/** A page server on another loopback origin: the SDK's browser build with p-retry mapped, and the gateway's worklet. */
async function pageServer() {
  const sdk = fs.readFileSync(path.join(here, 'node_modules/@google/genai/dist/web/index.mjs'));
  const worklet = Buffer.from(await (await fetch(a.baseUrl + '/pcm16-worklet.js')).arrayBuffer());
  const files = {
    '/sdk/genai.mjs': ['text/javascript', sdk],
    '/sdk/p-retry.mjs': ['text/javascript', 'export default async function pRetry(fn) { return fn(1); }'],
    '/pcm16-worklet.js': ['text/javascript', worklet],
    '/': ['text/html', `<!doctype html><meta charset="utf-8"><title>sdk</title><link rel="icon" href="data:,">
<script type="importmap">{"imports":{"@google/genai":"/sdk/genai.mjs","p-retry":"/sdk/p-retry.mjs"}}</script>
<script type="module">import * as genai from '@google/genai'; window.genai = genai; window.ready = true;</script>`],
  };
  const server = http.createServer((req, res) => {
    const f = files[req.url.split('?')[0]];
    if (!f) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': f[0] }); res.end(f[1]);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

function watch(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push('pageerror: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push('console: ' + m.text()); });
  return errors;
}

const poll = (page, fn, arg, ms, what) => page.waitForFunction(fn, arg, { timeout: ms, polling: 50 })
  .catch((e) => { throw new Error(`timed out waiting for ${what}: ${e.message.split('\n')[0]}`); });

// In-page helpers for the SDK scenarios (strings so they run in the page).
const PAGE_LIB = `
window.open1 = async (base, token, config, model = 'gemini-2.0-flash-live-001') => {
  const inbox = { messages: [], close: null };
  const ai = new genai.GoogleGenAI({ apiKey: token, httpOptions: { baseUrl: base, apiVersion: 'v1alpha' } });
  const s = await ai.live.connect({ model, config, callbacks: {
    onmessage: (m) => inbox.messages.push(m), onerror: () => {}, onclose: (e) => { inbox.close = { code: e.code, reason: e.reason }; } } });
  return { s, inbox };
};
window.until = (pred, ms) => new Promise((res, rej) => { const t0 = Date.now();
  const tick = () => { if (pred()) res(); else if (Date.now() - t0 > ms) rej(new Error('timeout')); else setTimeout(tick, 20); }; tick(); });
window.turns = (inbox) => inbox.messages.filter((m) => m.serverContent && m.serverContent.turnComplete).length;
window.textFrom = (inbox, from) => inbox.messages.slice(from).flatMap((m) => (m.serverContent && m.serverContent.modelTurn
  && m.serverContent.modelTurn.parts) || []).map((p) => p.text || '').join('');
window.say = async (c, text, ms = 15000) => { const from = c.inbox.messages.length, before = turns(c.inbox);
  c.s.sendClientContent({ turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true });
  await until(() => turns(c.inbox) > before, ms); return textFrom(c.inbox, from); };
window.refused = async (base, token) => { try { const c = await open1(base, token, { responseModalities: ['TEXT'] });
  c.s.close(); return 'connected'; } catch (e) { return String(e.message || e); } };
`;

const scenarios = {
  async sdk(ctx) {
    const tokens = [];
    for (let i = 0; i < 4; i++) tokens.push((await backend(a).authTokens.create({ config: { uses: 1 } })).name);
    const pages = await pageServer();
    const page = await ctx.newPage();
    const errors = watch(page);
    await page.goto(pages.url);
    await poll(page, () => window.ready, null, 10000, 'the SDK module');
    await page.evaluate(PAGE_LIB);
    const out = await page.evaluate(async ({ base, tokens }) => {
      const r = {};
      const c = await open1(base, tokens[0], { responseModalities: ['TEXT'], tools: [{ functionDeclarations: [{ name: 'lights', description: 'Lights on' }] }] });
      r.first = await say(c, 'Hello from Chromium');
      r.history = await say(c, 'history');
      const from = c.inbox.messages.length;
      c.s.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'call lights {}' }] }], turnComplete: true });
      await until(() => c.inbox.messages.some((m) => m.toolCall), 10000);
      const call = c.inbox.messages.find((m) => m.toolCall).toolCall.functionCalls[0];
      const before = turns(c.inbox);
      c.s.sendToolResponse({ functionResponses: [{ id: call.id, name: call.name, response: { on: true } }] });
      await until(() => turns(c.inbox) > before, 10000);
      r.tool = textFrom(c.inbox, from);
      c.s.close();
      // Audio: the fake microphone (a WAV) through an AudioWorklet at 16 kHz, native-audio model, transcriptions.
      const v = await open1(base, tokens[1], { responseModalities: ['AUDIO'], inputAudioTranscription: {}, outputAudioTranscription: {} },
        'gemini-2.5-flash-native-audio-preview-09-2025');
      const mic = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
      const cap = new AudioContext({ sampleRate: 16000 });
      await cap.audioWorklet.addModule('/pcm16-worklet.js');
      const node = new AudioWorkletNode(cap, 'pcm16');
      const b64 = (buf) => { const u = new Uint8Array(buf); let s = ''; for (const x of u) s += String.fromCharCode(x); return btoa(s); };
      let chunks = 0;
      node.port.onmessage = (e) => { chunks++; v.s.sendRealtimeInput({ audio: { data: b64(e.data.pcm), mimeType: 'audio/pcm;rate=16000' } }); };
      const mute = cap.createGain(); mute.gain.value = 0;
      cap.createMediaStreamSource(mic).connect(node); node.connect(mute).connect(cap.destination);
      await until(() => turns(v.inbox) >= 1, 20000);
      mic.getTracks().forEach((t) => t.stop()); cap.close();
      r.micChunks = chunks;
      r.audioChunks = v.inbox.messages.flatMap((m) => (m.serverContent && m.serverContent.modelTurn && m.serverContent.modelTurn.parts) || [])
        .filter((p) => p.inlineData).length;
      r.input = v.inbox.messages.map((m) => (m.serverContent && m.serverContent.inputTranscription && m.serverContent.inputTranscription.text) || '').join('');
      r.output = v.inbox.messages.map((m) => (m.serverContent && m.serverContent.outputTranscription && m.serverContent.outputTranscription.text) || '').join('');
      v.s.close();
      r.usedUp = await refused(base, tokens[0]);
      r.wrong = await refused(base, 'auth_tokens/' + '0'.repeat(64));
      r.origin = location.origin;
      return r;
    }, { base: a.baseUrl, tokens });
    pages.close();
    return { ...out, errors: errors.filter((e) => !/Ephemeral token support is experimental|ephemeral token support is in v1alpha/i.test(e)) };
  },

  async console(ctx) {
    const token = (await backend(a).authTokens.create({ config: { uses: 1 } })).name;
    const page = await ctx.newPage();
    const errors = watch(page);
    await page.goto(`${a.baseUrl}/#token=${token}&lab=1`);
    await page.click('#connect');
    await poll(page, () => window.hablaConsole.state === 'connected', null, 10000, 'connected');
    const st = () => page.evaluate(() => ({ ...window.hablaConsole }));
    // Typed text -> answer (spoken, with its transcription).
    await page.fill('#text', 'hello console'); await page.press('#text', 'Enter');
    await poll(page, () => window.hablaConsole.turns >= 1, null, 15000, 'the typed turn');
    const typed = (await st()).transcript.filter((t) => t.who === 'model').map((t) => t.text).join('');
    // A long answer, then speech while it plays: barge-in.
    await page.fill('#text', 'please tell me a long story about the sea, the wind, the harbour lights and the old boats that sail at dawn');
    await page.press('#text', 'Enter');
    await poll(page, () => window.hablaConsole.playing() && window.hablaConsole.audioChunks > 30, null, 15000, 'the long answer playing');
    await page.click('#mic');
    await poll(page, () => window.hablaConsole.interrupted >= 1, null, 15000, 'interrupted');
    const afterBarge = await page.evaluate(() => ({ silent: window.hablaConsole.silentAfterBargeIn, playing: window.hablaConsole.playing() }));
    await page.waitForTimeout(300); // let the output analyser see the silence
    const levelAfterBarge = await page.evaluate(() => window.hablaConsole.outputLevel());
    // Counted from the silence after the barge-in, so an answer that has already finished playing by the time its
    // turn is seen complete still counts (waiting for audio after the turn passed only while it was still playing).
    const chunksAtBargeIn = (await st()).audioChunks;
    await page.evaluate(() => { window.hablaConsole.maxOutputLevel = 0; });
    // The utterance ends: its transcription, then the answer to it, spoken.
    await poll(page, () => /I heard/.test(window.hablaConsole.transcript.filter((t) => t.who === 'model').map((t) => t.text).join(''))
      && window.hablaConsole.turns >= 3, null, 20000, 'the answer to the speech');
    await poll(page, (n) => window.hablaConsole.audioChunks > n, chunksAtBargeIn, 10000, 'reply audio');
    await poll(page, () => window.hablaConsole.maxOutputLevel > 0.01, null, 10000, 'reply audio audible');
    await page.click('#mic');
    // Camera at ~1 frame/s.
    await page.click('#camera');
    await poll(page, () => window.hablaConsole.framesSent >= 2, null, 10000, 'camera frames');
    const s = await st();
    await page.click('#connect');
    return { typed, interrupted: s.interrupted, afterBarge, levelAfterBarge, maxOutputLevel: s.maxOutputLevel,
      heard: s.transcript.filter((t) => t.who === 'user').map((t) => t.text).join(''),
      model: s.transcript.filter((t) => t.who === 'model').map((t) => t.text).join(''),
      framesSent: s.framesSent, firstAudioMs: s.firstAudioLatencies, bargeInMs: s.bargeInLatencies,
      playedOnBargeIn: s.playedOnBargeIn, errors: errors.concat(s.errors) };
  },

  async dropin(ctx) {
    // A page of another origin with the drop-in (one script, one element); its backend route mints with the admin key.
    const server = http.createServer(async (req, res) => {
      if (req.url === '/api/live-token' && req.method === 'POST') {
        const t = await backend(a).authTokens.create({ config: { uses: 1 } });
        res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify({ name: t.name })); return;
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><meta charset="utf-8"><title>shop</title><link rel="icon" href="data:,">
<script type="module" src="${a.baseUrl}/habla-talk.js"></script>
<h1>A shop</h1><habla-talk token-url="/api/live-token" base-url="${a.baseUrl}"></habla-talk>`);
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const page = await ctx.newPage();
    const errors = watch(page);
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.evaluate(() => { window.said = []; window.states = [];
      const el = document.querySelector('habla-talk');
      el.addEventListener('transcript', (e) => window.said.push(e.detail));
      el.addEventListener('state', (e) => window.states.push(e.detail)); });
    await poll(page, () => customElements.get('habla-talk'), null, 10000, 'the element defined');
    await page.locator('habla-talk').locator('button').click();
    await poll(page, () => window.said.some((t) => t.who === 'model') && /I heard \d/.test(window.said.filter((t) => t.who === 'model')
      .map((t) => t.text).join('')), null, 20000, 'the spoken answer');
    const out = await page.evaluate(() => ({ said: window.said, states: window.states,
      shown: document.querySelector('habla-talk').shadowRoot.querySelector('.log').textContent }));
    await page.locator('habla-talk').locator('button').click();
    server.close();
    return { ...out, errors };
  },

  async long(ctx) {
    const [seconds, gap] = [Number(a.rest[0] || 20), Number(a.rest[1] || 2)];
    const p = await proxy(a.baseUrl);
    const token = (await backend(a).authTokens.create({ config: { uses: 1, expireTime: new Date(Date.now() + 3600e3).toISOString() } })).name;
    const pages = await pageServer();
    const page = await ctx.newPage();
    const errors = watch(page);
    await page.goto(pages.url);
    await poll(page, () => window.ready, null, 10000, 'the SDK module');
    await page.evaluate(PAGE_LIB);
    const out = await page.evaluate(async ({ base, token, seconds, gap }) => {
      const c = await open1(base, token, { responseModalities: ['TEXT'], sessionResumption: {} });
      const said = [], bad = [];
      const end = Date.now() + seconds * 1000;
      let n = 0;
      while (Date.now() < end) {
        const t0 = Date.now();
        const text = 'turn ' + (++n);
        said.push(text);
        const reply = await say(c, text, 20000);
        if (reply !== 'You said: ' + text) bad.push({ text, reply });
        const rest = gap * 1000 - (Date.now() - t0);
        if (rest > 0) await new Promise((r) => setTimeout(r, rest)); // pacing the turns
      }
      const history = await say(c, 'history', 20000);
      const handle = c.inbox.messages.filter((m) => m.sessionResumptionUpdate && m.sessionResumptionUpdate.newHandle).pop()
        .sessionResumptionUpdate.newHandle;
      const goAways = c.inbox.messages.filter((m) => m.goAway).length;
      const turnsSeen = turns(c.inbox);
      window.first = c;
      return { said, bad, history, handle, goAways, turnsSeen, closeBeforeDrop: c.inbox.close };
    }, { base: p.url, token, seconds, gap });
    p.cut(); // the network goes away under the page
    const resumed = await page.evaluate(async ({ base, token, handle }) => {
      await until(() => window.first.inbox.close, 10000);
      const c = await open1(base, token, { responseModalities: ['TEXT'], sessionResumption: { handle } });
      const after = await say(c, 'after the drop');
      const history = await say(c, 'history');
      c.s.close();
      return { dropCode: window.first.inbox.close.code, after, history };
    }, { base: p.url, token, handle: out.handle });
    pages.close(); p.close();
    return { ...out, handle: out.handle.slice(0, 3), resumed, errors: errors.filter((e) => !/Ephemeral token|v1alpha only/i.test(e)) };
  },
};

run(async () => {
  const fn = scenarios[a.scenario];
  if (!fn) throw new Error('unknown scenario ' + a.scenario);
  const ctx = await launch();
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}, Number(process.env.HABLA_SCENARIO_MS || 120000));
