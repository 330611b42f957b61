// ICE restart policy (PROTOCOL.md §6.5): on `failed`, wait 1, 2, 4, 8, 16 s and restart; after five
// tries give up. The count resets on `connected`/`completed`.
//
// Chromium quirk, found by the real-failure end-to-end test: when a working path goes dead, its
// `iceConnectionState` stops at `disconnected` while `connectionState` (which follows the
// standardised ICE transport state) becomes `failed` some 20 s later. Either one counts.

export const RESTART_DELAYS_MS = [1000, 2000, 4000, 8000, 16000];

/** `failed` when either the ICE or the connection state says so, else the ICE state. */
export function effectiveIceState(ice: RTCIceConnectionState, connection: RTCPeerConnectionState): RTCIceConnectionState {
  return ice === 'failed' || connection === 'failed' ? 'failed' : ice;
}

export class IceRestartPolicy {
  private attempts = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last: RTCIceConnectionState | undefined;

  constructor(private readonly restart: () => void, private readonly giveUp: () => void) {}

  /** Feed every change; only a change *into* `failed` counts as a new failure. */
  onIceState(state: RTCIceConnectionState): void {
    if (state === this.last) return;
    this.last = state;
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
