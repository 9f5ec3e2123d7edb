// An unknown model: connect() must reject (or onclose fire) with code 1008 and the "is not found" reason.
import { Modality } from '@google/genai';
import { args, client, Inbox, run } from './lib.mjs';

run(async () => {
  const a = args();
  const inbox = new Inbox();
  let rejected = null;
  try {
    const s = await client(a).live.connect({
      model: 'gemini-0.0-no-such-model',
      config: { responseModalities: [Modality.TEXT] },
      callbacks: inbox.callbacks(),
    });
    s.close();
  } catch (e) {
    rejected = String(e && e.message ? e.message : e);
  }
  await inbox.until((i) => i.closeEvent || rejected, 10000, 'close');
  return { rejected, close: inbox.closeEvent };
});
