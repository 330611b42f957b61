// Hashes a Blob in slices off the main thread, so a 1 GiB file never freezes the page and is
// never read into memory at once. Messages: {id, blob} in; {id, progress} and {id, hex} out.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const SLICE = 4 * 1024 * 1024;

self.onmessage = async (ev: MessageEvent<{ id: number; blob: Blob }>) => {
  const { id, blob } = ev.data;
  try {
    const h = sha256.create();
    for (let off = 0; off < blob.size; off += SLICE) {
      h.update(new Uint8Array(await blob.slice(off, off + SLICE).arrayBuffer()));
      self.postMessage({ id, progress: Math.min(blob.size, off + SLICE) });
    }
    self.postMessage({ id, hex: bytesToHex(h.digest()) });
  } catch (e) {
    self.postMessage({ id, error: String(e) });
  }
};
