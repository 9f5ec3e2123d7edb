// Shared helpers of the OpenAI Realtime conformance scenarios. Each script is launched by JUnit
// (SdkOpenAiRealtimeConformanceTest) as
//   node <scenario>.mjs <port>
// against the emulator's OpenAI Realtime endpoint on 127.0.0.1:<port>, and prints exactly one line `RESULT {json}`.
// Every wait is bounded.

export const API_KEY = 'sk-conformance';

export function port() {
  const p = process.argv[2];
  if (!p) {
    console.error('usage: node <scenario>.mjs <port>');
    process.exit(2);
  }
  return Number(p);
}

/** Records events by type and lets a scenario wait for a condition on them. */
export class Inbox {
  constructor() {
    this.events = [];
    this.errors = [];
    this.waiters = [];
  }
  add(e) {
    this.events.push(e);
    this.check();
  }
  error(e) {
    this.errors.push(e);
    this.check();
  }
  check() {
    for (const w of [...this.waiters]) {
      if (w.pred(this)) { this.waiters.splice(this.waiters.indexOf(w), 1); clearTimeout(w.timer); w.resolve(); }
    }
  }
  until(pred, ms, what) {
    if (pred(this)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; types so far: ${this.types().join(',')}`));
      }, ms);
      this.waiters.push(w);
    });
  }
  of(type) {
    return this.events.filter((e) => e.type === type);
  }
  count(type) {
    return this.of(type).length;
  }
  types() {
    return this.events.map((e) => e.type);
  }
  /** Concatenated `delta`s of one event type since index `from`. */
  deltas(type, from = 0) {
    return this.events.slice(from).filter((e) => e.type === type).map((e) => e.delta).join('');
  }
}

/** `ms` of a loud 220 Hz tone, 24 kHz PCM16 mono little-endian. */
export function tone(ms) {
  const n = 24 * ms;
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 220 * i) / 24000) * 10000), 2 * i);
  return b;
}

export function silence(ms) {
  return Buffer.alloc(24 * ms * 2);
}

/** 100 ms pieces of `pcm`. */
export function chunks(pcm) {
  const out = [];
  for (let off = 0; off < pcm.length; off += 4800) out.push(pcm.subarray(off, Math.min(pcm.length, off + 4800)));
  return out;
}

/** Runs a scenario and prints `RESULT {json}`; failures are results too (ok:false, error). */
export function run(fn) {
  const guard = setTimeout(() => { console.log('RESULT ' + JSON.stringify({ ok: false, error: 'scenario guard timeout' })); process.exit(1); }, 90000);
  fn().then((r) => {
    clearTimeout(guard);
    console.log('RESULT ' + JSON.stringify({ ok: true, ...r }));
    process.exit(0);
  }, (e) => {
    clearTimeout(guard);
    console.log('RESULT ' + JSON.stringify({ ok: false, error: String(e && e.stack ? e.stack : e) }));
    process.exit(1);
  });
}
