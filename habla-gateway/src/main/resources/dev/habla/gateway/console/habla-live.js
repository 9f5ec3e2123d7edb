// Habla Live: a small browser client for the Gemini Live wire (BidiGenerateContent) through a Habla gateway.
// No provider key: it connects with an ephemeral token (auth_tokens/…) that your backend mints at the gateway.
//
//   import { connect } from '/habla-live.js';
//   const session = await connect({ baseUrl: 'https://gateway.example', token, setup: { model: 'models/…' },
//                                   onMessage: m => …, onClose: e => … });   // resolves on setupComplete
//   session.sendText('hi'); session.sendAudio(int16Buffer); session.sendImage('image/jpeg', base64); session.close();
//
// Messages are the Live API's JSON (camelCase), exactly as the server sends them (binary frames are decoded here).
// Licence: the project's.

/** Base64 of an ArrayBuffer or typed array. */
export function base64(data) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The constrained Live path for a token, under baseUrl (a base path is kept). */
export function liveUrl(baseUrl, token, apiVersion = 'v1alpha') {
  const u = new URL(baseUrl, location.href);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = u.pathname.replace(/\/+$/, '')
    + `/ws/google.ai.generativelanguage.${apiVersion}.GenerativeService.BidiGenerateContentConstrained`;
  u.search = 'access_token=' + token; // tokens are URL-safe (auth_tokens/ + hex)
  u.hash = '';
  return u.toString();
}

/**
 * Opens a Live session. Resolves with the session after setupComplete; rejects with the close code and reason if the
 * gateway refuses (wrong or used-up token, disallowed model, …: refusals are close frames, so the page can read them).
 */
export function connect({ baseUrl = location.origin, token, apiVersion = 'v1alpha', setup, onMessage, onClose }) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(liveUrl(baseUrl, token, apiVersion));
    ws.binaryType = 'arraybuffer';
    const decoder = new TextDecoder();
    let ready = false;
    const send = (msg) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };
    const session = {
      ws,
      send,
      sendText: (text) => send({ clientContent: { turns: [{ role: 'user', parts: [{ text }] }], turnComplete: true } }),
      sendAudio: (pcm16, rate = 16000) => send({ realtimeInput: { audio: { data: base64(pcm16), mimeType: `audio/pcm;rate=${rate}` } } }),
      audioStreamEnd: () => send({ realtimeInput: { audioStreamEnd: true } }),
      sendImage: (mimeType, data) => send({ realtimeInput: { video: { data, mimeType } } }),
      sendToolResponse: (functionResponses) => send({ toolResponse: { functionResponses } }),
      close: () => ws.close(1000),
    };
    ws.onopen = () => send({ setup });
    ws.onmessage = (e) => {
      const m = JSON.parse(typeof e.data === 'string' ? e.data : decoder.decode(e.data));
      if (!ready && m.setupComplete) { ready = true; resolve(session); }
      if (onMessage) onMessage(m);
    };
    ws.onclose = (e) => {
      if (!ready) reject(new Error(`Live connection closed before setup completed (code ${e.code}): ${e.reason}`));
      if (onClose) onClose(e);
    };
  });
}
