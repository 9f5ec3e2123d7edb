// Browser audio for Live sessions: microphone capture at 16 kHz through an AudioWorklet (echo cancellation on by
// default), and gapless 24 kHz playback that stops at once on barge-in.

/** Microphone: onChunk(int16 ArrayBuffer, rms) every 100 ms. */
export class Mic {
  constructor() { this.level = 0; }
  async start(onChunk, { echoCancellation = true, noiseSuppression = true, autoGainControl = true } = {}) {
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation, noiseSuppression, autoGainControl } });
    this.ctx = new AudioContext({ sampleRate: 16000 });
    await this.ctx.audioWorklet.addModule(new URL('./pcm16-worklet.js', import.meta.url));
    this.node = new AudioWorkletNode(this.ctx, 'pcm16');
    this.node.port.onmessage = (e) => { this.level = e.data.rms; onChunk(e.data.pcm, e.data.rms); };
    const mute = this.ctx.createGain(); mute.gain.value = 0;
    this.ctx.createMediaStreamSource(this.stream).connect(this.node);
    this.node.connect(mute).connect(this.ctx.destination); // keeps the worklet pulled, silently
    this.level = 0;
  }
  stop() {
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    if (this.ctx) this.ctx.close();
    this.stream = null; this.ctx = null; this.level = 0;
  }
}

/** Playback of 24 kHz PCM16 chunks (base64), gapless; stop() silences at once (barge-in). */
export class Player {
  constructor(rate = 24000) {
    this.rate = rate;
    this.ctx = new AudioContext({ sampleRate: rate });
    this.out = this.ctx.createGain();
    this.analyser = this.ctx.createAnalyser();
    this.out.connect(this.analyser).connect(this.ctx.destination);
    this.sources = [];
    this.next = 0;
    this.scheduledSeconds = 0; // of the current answer
    this.startedAt = 0;
  }
  enqueue(b64) {
    if (this.ctx.state === 'suspended') this.ctx.resume();
    const bin = atob(b64), n = bin.length >> 1;
    const buf = this.ctx.createBuffer(1, n, this.rate), ch = buf.getChannelData(0);
    for (let i = 0; i < n; i++) ch[i] = ((bin.charCodeAt(2 * i + 1) << 8 | bin.charCodeAt(2 * i)) << 16 >> 16) / 32768;
    const src = this.ctx.createBufferSource();
    src.buffer = buf; src.connect(this.out);
    const now = this.ctx.currentTime;
    if (!this.playing) { this.startedAt = Math.max(now + 0.05, this.next); this.scheduledSeconds = 0; }
    this.next = Math.max(this.next, now + 0.05);
    src.start(this.next);
    this.next += buf.duration;
    this.scheduledSeconds += buf.duration;
    this.sources.push(src);
    src.onended = () => { this.sources = this.sources.filter((s) => s !== src); };
  }
  get playing() { return this.next > this.ctx.currentTime; }
  /** Seconds of the current answer actually played so far. */
  get playedSeconds() { return Math.max(0, Math.min(this.scheduledSeconds, this.ctx.currentTime - this.startedAt)); }
  /** Stops everything scheduled; returns what was played (seconds). */
  stop() {
    const played = this.playedSeconds;
    for (const s of this.sources) { try { s.stop(); } catch (e) { /* not started */ } }
    this.sources = [];
    this.next = this.ctx.currentTime;
    return played;
  }
  /** Output RMS now (0 when silent). */
  level() {
    const a = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(a);
    let s = 0; for (const x of a) s += x * x;
    return Math.sqrt(s / a.length);
  }
}
