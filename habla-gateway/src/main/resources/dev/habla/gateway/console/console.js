// The Habla console: talk, type, see (camera / screen at ~1 frame/s, image upload), live transcript of both sides,
// barge-in, level meter, connection state and per-turn latency. State for tests: window.hablaConsole.
import { connect } from '/habla-live.js';
import { Mic, Player } from '/habla-audio.js';

const $ = (id) => document.getElementById(id);
const stats = window.hablaConsole = { state: 'disconnected', audioChunks: 0, turns: 0, interrupted: 0, framesSent: 0,
  transcript: [], firstAudioLatencies: [], bargeInLatencies: [], errors: [], playedOnBargeIn: [] };
const params = new URLSearchParams(location.hash.slice(1));
let session = null, token = null, handle = null, mic = null, player = null, videoTimer = null, videoStream = null;
let modelLine = null, userLine = null, lastVoiceAt = 0, speaking = false, bargeStart = 0, awaitingFirstAudio = false;
const VOICE_RMS = 0.02;

function setState(s) { stats.state = s; $('state').textContent = s; $('state').className = 'state ' + s; }
function line(cls, text) {
  const d = document.createElement('div'); d.className = 'line ' + cls; d.textContent = text;
  $('transcript').append(d); $('transcript').scrollTop = 1e9; return d;
}
function record(who, text) { stats.transcript.push({ who, text }); }

async function getToken() {
  if (params.get('token')) return params.get('token');
  const r = await fetch('/dev/token', { method: 'POST' });
  if (!r.ok) throw new Error('no token: put #token=auth_tokens/… in the URL (dev tokens: HTTP ' + r.status + ')');
  return (await r.json()).name;
}

function setup() {
  const model = $('model').value.trim();
  const audio = /native-audio|audio/.test(model);
  const s = { model: model.startsWith('models/') ? model : 'models/' + model,
    generationConfig: { responseModalities: [audio ? 'AUDIO' : 'TEXT'] },
    inputAudioTranscription: {}, sessionResumption: handle ? { handle } : {} };
  if (audio) {
    s.outputAudioTranscription = {};
    if ($('voice').value.trim()) s.generationConfig.speechConfig = { voiceConfig: { prebuiltVoiceConfig: { voiceName: $('voice').value.trim() } } };
  }
  return s;
}

function onMessage(m) {
  if (m.sessionResumptionUpdate && m.sessionResumptionUpdate.newHandle) handle = m.sessionResumptionUpdate.newHandle;
  if (m.toolCall) { // client tools: this console declares none; answer so the turn goes on
    session.sendToolResponse(m.toolCall.functionCalls.map((c) => ({ id: c.id, name: c.name, response: { error: 'not available in the console' } })));
  }
  const sc = m.serverContent;
  if (!sc) return;
  if (sc.inputTranscription && sc.inputTranscription.text) {
    userLine = userLine || line('user', 'you: ');
    userLine.textContent += sc.inputTranscription.text;
    record('user', sc.inputTranscription.text);
  }
  if (sc.modelTurn) {
    for (const p of sc.modelTurn.parts || []) {
      if (p.inlineData && p.inlineData.mimeType.startsWith('audio/pcm')) {
        if (awaitingFirstAudio && lastVoiceAt) {
          const ms = performance.now() - lastVoiceAt; stats.firstAudioLatencies.push(ms); $('lat-first').textContent = ms.toFixed(0) + ' ms';
        }
        awaitingFirstAudio = false;
        stats.audioChunks++;
        player.enqueue(p.inlineData.data);
      }
      if (p.text) { modelLine = modelLine || line('model', 'model: '); modelLine.textContent += p.text; record('model', p.text); }
    }
  }
  if (sc.outputTranscription && sc.outputTranscription.text) {
    modelLine = modelLine || line('model', 'model: ');
    modelLine.textContent += sc.outputTranscription.text;
    record('model', sc.outputTranscription.text);
  }
  if (sc.interrupted) {
    const played = player.stop();
    stats.interrupted++; stats.playedOnBargeIn.push(played); stats.silentAfterBargeIn = !player.playing;
    if (bargeStart) { const ms = performance.now() - bargeStart; stats.bargeInLatencies.push(ms); $('lat-barge').textContent = ms.toFixed(0) + ' ms'; bargeStart = 0; }
    if (modelLine) { modelLine.classList.add('cut'); modelLine.title = `heard ${played.toFixed(1)} s before the barge-in`; }
    line('system', `(interrupted: ${played.toFixed(1)} s of the answer was heard)`);
    modelLine = null;
  }
  if (sc.turnComplete) { stats.turns++; modelLine = null; userLine = null; }
}

async function open() {
  setState(handle ? 'reconnecting' : 'connecting');
  player = player || new Player();
  session = await connect({ baseUrl: location.origin, token, setup: setup(), onMessage, onClose: (e) => {
    session = null;
    if (e.code === 1000 || !handle) { setState('disconnected'); enable(false); if (e.code !== 1000) line('system', `closed ${e.code} ${e.reason}`); return; }
    line('system', `connection lost (${e.code}); resuming…`);
    setTimeout(() => open().catch(fail), 500); // same token: resuming is not a use
  } });
  setState('connected'); enable(true);
}

function enable(on) {
  for (const id of ['mic', 'camera', 'screen', 'image', 'text']) $(id).disabled = !on;
  $('say').querySelector('button').disabled = !on;
  $('connect').textContent = on ? 'Disconnect' : 'Connect';
}

function fail(e) { stats.errors.push(String(e.message || e)); line('system', String(e.message || e)); setState('disconnected'); enable(false); }

$('connect').onclick = async () => {
  if (session) { handle = null; stopMic(); stopVideo(); session.close(); return; }
  player = player || new Player(); // created in the click, so the browser lets it play
  try { token = await getToken(); handle = null; await open(); } catch (e) { fail(e); }
};

function stopMic() { if (mic) { mic.stop(); mic = null; $('mic').textContent = 'Mic on'; $('level').value = 0; } }
$('mic').onclick = async () => {
  if (mic) { stopMic(); if (session) session.audioStreamEnd(); return; }
  mic = new Mic();
  const lab = params.get('lab') === '1'; // tests: the fake mic's WAV unprocessed
  await mic.start((pcm, rms) => {
    $('level').value = rms;
    const now = performance.now();
    if (rms > VOICE_RMS) {
      if (!speaking && player && player.playing && !bargeStart) bargeStart = now; // barge-in starts
      speaking = true; lastVoiceAt = now;
    } else if (speaking && now - lastVoiceAt > 300) { speaking = false; awaitingFirstAudio = true; }
    if (session) session.sendAudio(pcm);
  }, { echoCancellation: !lab, noiseSuppression: !lab, autoGainControl: !lab });
  $('mic').textContent = 'Mic off';
};

function stopVideo() {
  clearInterval(videoTimer); videoTimer = null;
  if (videoStream) videoStream.getTracks().forEach((t) => t.stop());
  videoStream = null; $('preview').srcObject = null;
}
async function startVideo(stream) {
  stopVideo();
  videoStream = stream; $('preview').srcObject = stream; await $('preview').play();
  const canvas = document.createElement('canvas');
  videoTimer = setInterval(() => { // about one frame per second, as the Live API wants
    const v = $('preview'); if (!session || !v.videoWidth) return;
    const scale = Math.min(1, 640 / v.videoWidth);
    canvas.width = Math.round(v.videoWidth * scale); canvas.height = Math.round(v.videoHeight * scale);
    canvas.getContext('2d').drawImage(v, 0, 0, canvas.width, canvas.height);
    session.sendImage('image/jpeg', canvas.toDataURL('image/jpeg', 0.7).split(',')[1]);
    stats.framesSent++; $('frames').textContent = stats.framesSent;
  }, 1000);
}
$('camera').onclick = async () => { try { await startVideo(await navigator.mediaDevices.getUserMedia({ video: true })); } catch (e) { fail(e); } };
$('screen').onclick = async () => { try { await startVideo(await navigator.mediaDevices.getDisplayMedia({ video: true })); } catch (e) { fail(e); } };
$('image').onchange = async (e) => {
  const f = e.target.files[0]; if (!f || !session) return;
  const data = await new Promise((res) => { const r = new FileReader(); r.onload = () => res(r.result.split(',')[1]); r.readAsDataURL(f); });
  session.sendImage(f.type || 'image/jpeg', data); stats.framesSent++; $('frames').textContent = stats.framesSent;
  line('system', `(image ${f.name} sent)`);
};
$('say').onsubmit = (e) => {
  e.preventDefault();
  const t = $('text').value.trim(); if (!t || !session) return;
  if (player && player.playing) { bargeStart = performance.now(); }
  line('user', 'you: ' + t); record('user', t); session.sendText(t); $('text').value = '';
  lastVoiceAt = performance.now(); awaitingFirstAudio = true;
};
setInterval(() => {
  if (mic) $('level').value = Number.isFinite(mic.level) ? mic.level : 0;
  if (player) stats.maxOutputLevel = Math.max(stats.maxOutputLevel || 0, player.level());
}, 50);
stats.outputLevel = () => (player ? player.level() : 0);
stats.playing = () => !!(player && player.playing);
window.addEventListener('error', (e) => stats.errors.push(String(e.message)));
window.addEventListener('unhandledrejection', (e) => stats.errors.push(String(e.reason)));
