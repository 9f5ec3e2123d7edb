// The openai SDK's REST call for an ephemeral key (client.realtime.clientSecrets.create), then a browser-style
// connection with it: the native WebSocket class (OpenAIRealtimeWebSocket) sends the key as the
// `openai-insecure-api-key.<key>` subprotocol and needs the server to select `realtime`. Node 20's global WebSocket
// needs --experimental-websocket and TLS, so that last step uses `ws` with the same subprotocols instead.
import OpenAI from 'openai';
import WebSocket from 'ws';
import { API_KEY, port, run } from './lib.mjs';

run(async () => {
  const p = port();
  const client = new OpenAI({ apiKey: API_KEY, baseURL: `http://127.0.0.1:${p}/v1` });
  const secret = await client.realtime.clientSecrets.create({
    expires_after: { anchor: 'created_at', seconds: 600 },
    session: { type: 'realtime', model: 'gpt-realtime', instructions: 'Speak like a pirate.' },
  });
  const ws = new WebSocket(`ws://127.0.0.1:${p}/v1/realtime?model=gpt-realtime`, ['realtime', `openai-insecure-api-key.${secret.value}`]);
  const first = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no session.created')), 10000);
    ws.on('message', (m) => { clearTimeout(t); resolve(JSON.parse(m.toString())); });
    ws.on('error', (e) => { clearTimeout(t); reject(e); });
  });
  const protocol = ws.protocol;
  ws.close();
  return {
    valuePrefix: secret.value.slice(0, 3),
    sessionObject: secret.session.object,
    secretInstructions: secret.session.instructions,
    protocol,
    firstType: first.type,
    sessionInstructions: first.session.instructions,
  };
});
