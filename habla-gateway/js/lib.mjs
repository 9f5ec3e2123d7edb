// Shared helpers of the gateway scenarios (a copy of habla-conformance/js/lib.mjs, plus a cuttable TCP proxy).
// Each scenario is launched by JUnit as `node <script> <scenario> <baseUrl> <adminKey>` and prints exactly one line
// `RESULT {json}` on stdout, which the Java test asserts. Every wait is bounded.
import { GoogleGenAI } from '@google/genai';
import net from 'node:net';

export function args() {
  const [, , scenario, baseUrl, adminKey, ...rest] = process.argv;
  if (!scenario || !baseUrl || !adminKey) {
    console.error('usage: node <script>.mjs <scenario> <baseUrl> <adminKey> [...]');
    process.exit(2);
  }
  return { scenario, baseUrl, adminKey, rest };
}

/** The app backend's client: the gateway admin key, never a provider key. */
export function backend({ baseUrl, adminKey }) {
  return new GoogleGenAI({ apiKey: adminKey, httpOptions: { baseUrl, apiVersion: 'v1alpha' } });
}

/** The browser/app side: a client holding only an ephemeral token. */
export function withToken(baseUrl, token) {
  return new GoogleGenAI({ apiKey: token, httpOptions: { baseUrl, apiVersion: 'v1alpha' } });
}

/** A TCP proxy in front of `target` (host:port); cut() drops every connection through it (a network loss). */
export async function proxy(targetUrl) {
  const t = new URL(targetUrl);
  const sockets = new Set();
  const server = net.createServer((c) => {
    const up = net.connect(Number(t.port), t.hostname);
    sockets.add(c); sockets.add(up);
    c.pipe(up); up.pipe(c);
    const end = () => { c.destroy(); up.destroy(); sockets.delete(c); sockets.delete(up); };
    c.on('error', end); up.on('error', end); c.on('close', end); up.on('close', end);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() { for (const s of sockets) s.resetAndDestroy ? s.resetAndDestroy() : s.destroy(); sockets.clear(); },
    close() { this.cut(); server.close(); },
  };
}

/** Collects what a session receives and lets a scenario wait for a condition on it. */
export class Inbox {
  constructor() {
    this.messages = [];
    this.waiters = [];
    this.closeEvent = null;
  }
  callbacks() {
    return {
      onmessage: (m) => { this.messages.push(m); this.check(); },
      onerror: (e) => { this.error = String(e && e.message ? e.message : e); this.check(); },
      onclose: (e) => { this.closeEvent = { code: e.code, reason: e.reason }; this.check(); },
    };
  }
  check() {
    for (const w of [...this.waiters]) {
      if (w.pred(this)) { this.waiters.splice(this.waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(); }
    }
  }
  /** Resolves when pred(inbox) holds; rejects after ms. */
  until(pred, ms, what) {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${this.messages.length} messages: `
          + JSON.stringify(this.messages.map((m) => Object.keys(m))) + ` close=${JSON.stringify(this.closeEvent)}`));
      }, ms);
      this.waiters.push(w);
    });
  }
  count(pred) { return this.messages.filter(pred).length; }
  turnsComplete() { return this.count((m) => m.serverContent && m.serverContent.turnComplete); }
  /** Text of the model-turn text parts, from message index `from`. */
  text(from = 0) {
    let t = '';
    for (const m of this.messages.slice(from)) {
      for (const p of (m.serverContent && m.serverContent.modelTurn && m.serverContent.modelTurn.parts) || []) {
        if (typeof p.text === 'string') t += p.text;
      }
    }
    return t;
  }
  keys() { return this.messages.map((m) => Object.keys(m).sort().join('+')); }
}

export function result(obj) {
  process.stdout.write('RESULT ' + JSON.stringify(obj) + '\n');
}

/** Runs a scenario; any failure still prints a RESULT (with error) so the Java side shows what happened. */
export async function run(scenario, limitMs = 45000) {
  const hardStop = setTimeout(() => { result({ ok: false, error: `scenario exceeded ${limitMs} ms` }); process.exit(3); }, limitMs);
  try {
    const out = await scenario();
    result({ ok: true, ...out });
  } catch (e) {
    result({ ok: false, error: String(e && e.stack ? e.stack : e) });
  } finally {
    clearTimeout(hardStop);
  }
  // The ws package may keep sockets half-open for a moment; the result is out, so leave now.
  process.exit(0);
}

/** 16 kHz PCM16 LE mono: a loud voiced signal (140 Hz + harmonics, 4 Hz syllable envelope never below 20 %). */
export function speech(ms, rate = 16000) {
  const n = Math.floor((rate * ms) / 1000);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const env = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
    const v = Math.sin(2 * Math.PI * 140 * t) + 0.5 * Math.sin(2 * Math.PI * 280 * t) + 0.25 * Math.sin(2 * Math.PI * 420 * t);
    b.writeInt16LE(Math.round(9000 * env * v), i * 2);
  }
  return b;
}

export function silence(ms, rate = 16000) {
  return Buffer.alloc(Math.floor((rate * ms) / 1000) * 2);
}
