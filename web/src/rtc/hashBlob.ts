// SHA-256 in a worker (see workers/sha256.worker.ts): of a whole Blob, or streamed part by part,
// and the two ways a receiver verifies a file with it.

let worker: Worker | null = null;
let nextId = 1;
const pending = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void; onProgress?: (bytes: number) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('../workers/sha256.worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (ev: MessageEvent<{ id: number; progress?: number; hex?: string; error?: string }>) => {
    const p = pending.get(ev.data.id);
    if (!p) return;
    if (ev.data.progress !== undefined) p.onProgress?.(ev.data.progress);
    else {
      pending.delete(ev.data.id);
      if (ev.data.hex) p.resolve(ev.data.hex);
      else p.reject(new Error(ev.data.error ?? 'hash failed'));
    }
  };
  return worker;
}

export function hashBlob(blob: Blob, onProgress?: (bytes: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, onProgress });
    getWorker().postMessage({ id, blob });
  });
}

export interface StreamHasher {
  update(part: Blob): void;
  finish(): Promise<string>;
}

/** A hash fed as the data arrives, so verification ends right after the last byte. */
export function streamHasher(): StreamHasher {
  const id = nextId++;
  const w = getWorker();
  return {
    update: (part) => w.postMessage({ id, op: 'update', blob: part }),
    finish: () => new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.postMessage({ id, op: 'finish' });
    }),
  };
}

/** How a receiver computes the SHA-256 of a file it is receiving. */
export interface Verifier {
  /** the next part of the file, in order, as it arrives */
  add(part: Blob): void;
  /** the whole file, after its last byte; reports the bytes verified when it hashes them now */
  finish(whole: Blob, onProgress: (bytes: number) => void): Promise<string>;
  /** the transfer ended without a file: drop any state */
  abort(): void;
}

/** Hashes each part while the rest is still arriving: nothing left to do after the last byte. */
export function streamingVerifier(make: () => StreamHasher = streamHasher): Verifier {
  const h = make();
  return {
    add: (part) => h.update(part),
    finish: () => h.finish(),
    abort: () => { void h.finish().catch(() => undefined); }, // frees the worker's state
  };
}

/** Hashes the whole file after its last byte, so the hash never competes with the receive path. */
export function afterwardsVerifier(hash: typeof hashBlob = hashBlob): Verifier {
  return { add: () => undefined, finish: (whole, onProgress) => hash(whole, onProgress), abort: () => undefined };
}

/**
 * When to verify, adjustable by the benchmark. On a machine with few cores the transfer itself
 * (the renderer, Chromium's network threads, SCTP and DTLS) already uses every core: a hash running
 * alongside takes its CPU out of the transfer, which then ends later for both sides, for about the
 * same time to a verified file (docs/BENCHMARKS.md, "Verifying while receiving or after"). With
 * cores to spare, hashing alongside costs the transfer nothing and the check ends with it.
 */
export const verifyPolicy = {
  whileReceiving: typeof navigator !== 'undefined' && (navigator.hardwareConcurrency ?? 0) >= 4,
};

export function policyVerifier(): Verifier {
  return verifyPolicy.whileReceiving ? streamingVerifier() : afterwardsVerifier();
}
