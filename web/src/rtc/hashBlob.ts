// SHA-256 of a Blob, computed in a worker (see workers/sha256.worker.ts).

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
