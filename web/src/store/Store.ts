// A minimal external store for useSyncExternalStore: immutable state, shallow slice updates.

export class Store<S extends object> {
  private listeners = new Set<() => void>();
  constructor(protected state: S) {}

  getState = (): S => this.state;

  subscribe = (l: () => void): (() => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  protected set(patch: Partial<S> | ((s: S) => Partial<S>)): void {
    const p = typeof patch === 'function' ? patch(this.state) : patch;
    this.state = { ...this.state, ...p };
    for (const l of [...this.listeners]) l();
  }
}
