// A tiny typed event emitter, so layers talk through named events rather than callbacks-in-objects.

type Handler<A extends unknown[]> = (...args: A) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown[] }> {
  private handlers: { [K in keyof Events]?: Set<Handler<Events[K]>> } = {};

  on<K extends keyof Events>(event: K, h: Handler<Events[K]>): () => void {
    (this.handlers[event] ??= new Set()).add(h);
    return () => this.handlers[event]?.delete(h);
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const h of [...(this.handlers[event] ?? [])]) {
      try {
        h(...args);
      } catch (e) {
        console.warn(`handler for ${String(event)} failed`, e);
      }
    }
  }
}
