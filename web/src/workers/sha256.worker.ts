// SHA-256 off the main thread, so a 1 GiB file never freezes the page and is never read into
// memory at once. Two modes:
//   {id, blob}                       hash one Blob in slices → {id, progress}…, {id, hex}
//   {id, op: 'update'|'finish', blob?} a streaming hash fed part by part (the receiver) → {id, hex}
// hash-wasm: an incremental SHA-256 in WebAssembly, about twice as fast as plain JS here, which
// matters because the receiver hashes while data is still arriving.
import { createSHA256, type IHasher } from 'hash-wasm';
import { readAhead } from '../rtc/readAhead';

const SLICE = 4 * 1024 * 1024;
type Hasher = IHasher;
const streams = new Map<number, { h: Hasher; chain: Promise<void> }>();

/** Hashes a Blob slice by slice; the next slice is read while this one is hashed. */
async function feed(h: Hasher, blob: Blob, onProgress?: (n: number) => void): Promise<void> {
  let done = 0;
  for await (const slice of readAhead(blob, SLICE)) {
    h.update(new Uint8Array(slice));
    done += slice.byteLength;
    onProgress?.(done);
  }
}

self.onmessage = (ev: MessageEvent<{ id: number; blob?: Blob; op?: 'update' | 'finish' }>) => {
  const { id, blob, op } = ev.data;
  if (!op) {
    createSHA256()
      .then(async (h) => {
        await feed(h, blob!, (n) => self.postMessage({ id, progress: n }));
        self.postMessage({ id, hex: h.digest('hex') });
      })
      .catch((e) => self.postMessage({ id, error: String(e) }));
    return;
  }
  let s = streams.get(id);
  if (!s) {
    const created = createSHA256();
    s = { h: null as unknown as Hasher, chain: created.then((h) => { s!.h = h; }) };
    streams.set(id, s);
  }
  const st = s;
  // Parts are hashed strictly in the order they were posted.
  st.chain = st.chain.then(async () => {
    if (op === 'update' && blob) await feed(st.h, blob);
    if (op === 'finish') {
      streams.delete(id);
      self.postMessage({ id, hex: st.h.digest('hex') });
    }
  }).catch((e) => { streams.delete(id); self.postMessage({ id, error: String(e) }); });
};
