// SHA-256 in a worker (see workers/sha256.worker.ts): of a whole Blob, or streamed part by part.

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
