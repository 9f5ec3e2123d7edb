// <habla-talk>: a drop-in talk button with a live transcript, for any web page.
//
//   <script type="module" src="https://your-gateway.example/habla-talk.js"></script>
//   <habla-talk token-url="/api/live-token" model="gemini-2.5-flash-native-audio-preview-09-2025"
//               voice="Kore" system="You are the shop's assistant."></habla-talk>
//
// token-url: your backend's endpoint (POST) that mints a token at the gateway with your admin key and returns the
// gateway's JSON ({"name":"auth_tokens/…"}) or the bare token text. base-url (optional): the gateway, default the
// origin this script was loaded from. Events: 'transcript' (detail {who, text}), 'state' (detail: the state).
import { connect } from './habla-live.js';
import { Mic, Player } from './habla-audio.js';

const GATEWAY = new URL('.', import.meta.url).origin;

class HablaTalk extends HTMLElement {
  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>
      :host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; max-width: 28em; }
      button { font: inherit; padding: .5em 1.2em; border-radius: 2em; border: 0; background: #0b57d0; color: #fff; cursor: pointer; }
      button.on { background: #b3261e; } .log { margin-top: .5em; max-height: 12em; overflow-y: auto; }
      .user { color: #0b57d0; } .state { color: #777; font-size: .85em; margin-left: .5em; }</style>
      <button part="button">Talk</button><span class="state" part="state"></span><div class="log" part="transcript"></div>`;
    this.button = root.querySelector('button');
    this.log = root.querySelector('.log');
    this.stateEl = root.querySelector('.state');
    this.button.onclick = () => (this.session ? this.stop() : this.start());
  }

  state(s) { this.stateEl.textContent = s; this.dispatchEvent(new CustomEvent('state', { detail: s })); }

  say(who, text) {
    let last = this.log.lastElementChild;
    if (!last || last.dataset.who !== who) {
      last = document.createElement('div'); last.dataset.who = who; last.className = who; this.log.append(last);
    }
    last.textContent += text; this.log.scrollTop = 1e9;
    this.dispatchEvent(new CustomEvent('transcript', { detail: { who, text } }));
  }

  async token() {
    const r = await fetch(this.getAttribute('token-url'), { method: 'POST', credentials: 'same-origin' });
    if (!r.ok) throw new Error('token endpoint answered HTTP ' + r.status);
    const body = (await r.text()).trim();
    return body.startsWith('{') ? JSON.parse(body).name : body;
  }

  async start() {
    this.player = this.player || new Player();
    this.button.classList.add('on'); this.button.textContent = 'Stop'; this.state('connecting');
    try {
      const model = this.getAttribute('model') || 'gemini-2.5-flash-native-audio-preview-09-2025';
      const setup = { model: model.startsWith('models/') ? model : 'models/' + model,
        generationConfig: { responseModalities: ['AUDIO'] }, inputAudioTranscription: {}, outputAudioTranscription: {} };
      if (this.getAttribute('voice')) setup.generationConfig.speechConfig = { voiceConfig: { prebuiltVoiceConfig: { voiceName: this.getAttribute('voice') } } };
      if (this.getAttribute('system')) setup.systemInstruction = { parts: [{ text: this.getAttribute('system') }] };
      this.session = await connect({ baseUrl: this.getAttribute('base-url') || GATEWAY, token: await this.token(), setup,
        onMessage: (m) => this.onMessage(m), onClose: (e) => { if (this.session) this.stop(e.code === 1000 ? '' : `closed: ${e.reason || e.code}`); } });
      this.mic = new Mic();
      await this.mic.start((pcm) => this.session && this.session.sendAudio(pcm));
      this.state('listening');
    } catch (e) {
      this.stop(String(e.message || e));
    }
  }

  onMessage(m) {
    const sc = m.serverContent; if (!sc) return;
    if (sc.inputTranscription && sc.inputTranscription.text) this.say('user', sc.inputTranscription.text);
    if (sc.outputTranscription && sc.outputTranscription.text) this.say('model', sc.outputTranscription.text);
    for (const p of (sc.modelTurn && sc.modelTurn.parts) || []) {
      if (p.inlineData && p.inlineData.mimeType.startsWith('audio/pcm')) this.player.enqueue(p.inlineData.data);
      if (p.text) this.say('model', p.text);
    }
    if (sc.interrupted) this.player.stop();
  }

  stop(message = '') {
    const s = this.session; this.session = null;
    if (this.mic) { this.mic.stop(); this.mic = null; }
    if (this.player) this.player.stop();
    if (s) s.close();
    this.button.classList.remove('on'); this.button.textContent = 'Talk'; this.state(message);
  }

  disconnectedCallback() { this.stop(); }
}

customElements.define('habla-talk', HablaTalk);
