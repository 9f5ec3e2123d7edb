// Resumption: sessionResumption:{} -> capture the handle from onmessage -> close -> reconnect with the handle ->
// the `history` reply lists the first connection's turns.
import { Modality } from '@google/genai';
import { args, client, Inbox, run } from './lib.mjs';

run(async () => {
  const a = args();
  const ai = client(a);
  const first = new Inbox();
  const s1 = await ai.live.connect({
    model: 'gemini-2.0-flash-live-001',
    config: { responseModalities: [Modality.TEXT], sessionResumption: {} },
    callbacks: first.callbacks(),
  });
  s1.sendClientContent({ turns: 'first turn from js', turnComplete: true });
  await first.until((i) => i.turnsComplete() >= 1, 10000, 'turnComplete');
  const handles = () => first.messages.filter((m) => m.sessionResumptionUpdate && m.sessionResumptionUpdate.resumable
    && m.sessionResumptionUpdate.newHandle).map((m) => m.sessionResumptionUpdate.newHandle);
  const afterTurn = first.messages.findIndex((m) => m.serverContent && m.serverContent.turnComplete);
  await first.until((i) => i.messages.slice(afterTurn).some((m) => m.sessionResumptionUpdate && m.sessionResumptionUpdate.newHandle),
    10000, 'a handle after the turn');
  const handle = handles().pop();
  s1.close();
  await first.until((i) => i.closeEvent, 10000, 'close of the first connection');

  const second = new Inbox();
  const s2 = await ai.live.connect({
    model: 'gemini-2.0-flash-live-001',
    config: { responseModalities: [Modality.TEXT], sessionResumption: { handle } },
    callbacks: second.callbacks(),
  });
  s2.sendClientContent({ turns: 'history', turnComplete: true });
  await second.until((i) => i.turnsComplete() >= 1, 10000, 'turnComplete after resuming');
  s2.close();
  return { handle, handlesSeen: handles().length, firstClose: first.closeEvent, history: second.text() };
});
