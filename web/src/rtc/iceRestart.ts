// ICE restart policy (PROTOCOL.md §6.5): on `failed`, wait 1, 2, 4, 8, 16 s and restart; after five
// tries give up. The count resets on `connected`/`completed`.

export const RESTART_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];

export class IceRestartPolicy {
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly restart: () => void, private readonly giveUp: () => void) {}

  onIceState(state: RTCIceConnectionState): void {
    if (state === 'connected' || state === 'completed') {
      this.attempts = 0;
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (state === 'failed' && this.timer === undefined) {
      if (this.attempts >= RESTART_DELAYS_MS.length) {
        this.giveUp();
        return;
      }
      const delay = RESTART_DELAYS_MS[this.attempts++];
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.restart();
      }, delay);
    }
  }

  dispose(): void { clearTimeout(this.timer); }
}
