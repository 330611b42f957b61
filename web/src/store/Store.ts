// A minimal external store for useSyncExternalStore: immutable state, shallow slice updates.
// The slices of the application (AppStore.ts) share one Store through a StoreAccess: each reads
// whatever it needs and writes its own part of the state.

export type Patch<S> = Partial<S> | ((s: S) => Partial<S>);

/** What a slice sees of the one Store. */
export interface StoreAccess<S> {
  get(): S;
  set(patch: Patch<S>): void;
}

export class Store<S extends object> {
  private listeners = new Set<() => void>();
  constructor(protected state: S) {}

  getState = (): S => this.state;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  protected set(patch: Patch<S>): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of [...this.listeners]) l();
  }

  /** For the slices: read and patch this store. */
  protected readonly access: StoreAccess<S> = { get: () => this.state, set: (p) => this.set(p) };
}
