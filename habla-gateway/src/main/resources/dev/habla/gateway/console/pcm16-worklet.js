// AudioWorklet: Float32 [-1,1] at the context's rate (16 kHz) -> Int16 LE chunks of 1600 samples (100 ms), plus the
// chunk's RMS level, posted to the main thread.
registerProcessor('pcm16', class extends AudioWorkletProcessor {
  constructor() { super(); this.b = new Int16Array(1600); this.n = 0; this.sq = 0; }
  process(inputs) {
    const ch = inputs[0][0];
    if (!ch) return true;
    for (const x of ch) {
      const s = Math.max(-1, Math.min(1, x));
      this.sq += s * s;
      this.b[this.n++] = s < 0 ? s * 0x8000 : s * 0x7fff;
      if (this.n === 1600) {
        this.port.postMessage({ pcm: this.b.buffer, rms: Math.sqrt(this.sq / 1600) }, [this.b.buffer]);
        this.b = new Int16Array(1600); this.n = 0; this.sq = 0;
      }
    }
    return true;
  }
});
