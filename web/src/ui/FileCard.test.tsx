// @vitest-environment jsdom
// The file card as a user sees it: what it says while a transfer runs and while its SHA-256 is
// being checked, rendered by React into a DOM.
import { afterEach, describe, expect, it } from 'vitest';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { FileCard } from './FileCard';
import { appStore } from '../store/AppStore';
import type { AppState } from '../store/types';
import type { StoredMessage } from '../store/records';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const MiB = 1024 * 1024;
const message: StoredMessage = {
  messageId: 'm1', conv: 'c', author: 'peer', timestamp: 0, delivery: 'delivered',
  file: { category: 'file', name: 'big.bin', type: '', size: 256 * MiB, dcId: '1', sha256: 'ab'.repeat(32) },
};
const setTransfers = (t: AppState['transfers']) => (appStore as unknown as { set(p: Partial<AppState>): void }).set({ transfers: t });

let root: Root | null = null;
let host: HTMLElement;
function render(): HTMLElement {
  host = document.createElement('div');
  document.body.append(host);
  root = createRoot(host);
  act(() => root!.render(<FileCard m={message} />));
  return host;
}
afterEach(() => { act(() => root?.unmount()); host.remove(); root = null; });

describe('FileCard', () => {
  it('shows speed and time left while receiving', () => {
    setTransfers({ m1: { messageId: 'm1', direction: 'receive', state: 'receiving', progress: { bytes: 64 * MiB, total: 256 * MiB, bytesPerSec: 20 * MiB, etaSec: 9.6 } } });
    const el = render();
    expect(el.querySelector('[data-testid="file-status"]')!.textContent).toContain('Receiving');
    expect(el.querySelector('[data-testid="file-speed"]')!.textContent).toBe('64 MiB / 256 MiB · 20 MiB/s · 10 s left');
    expect(el.querySelector('[data-testid="file-verify-progress"]')).toBeNull();
  });

  it('shows how far the SHA-256 check has come after the last byte', () => {
    setTransfers({ m1: { messageId: 'm1', direction: 'receive', state: 'verifying', progress: { bytes: 96 * MiB, total: 256 * MiB, bytesPerSec: 200 * MiB, etaSec: 0.8 } } });
    const el = render();
    expect(el.querySelector('[data-testid="file-status"]')!.textContent).toContain('Verifying…');
    expect(el.querySelector('[data-testid="file-verify-progress"]')!.textContent).toBe('Checking SHA-256: 96 MiB / 256 MiB · 1 s left');
    expect(el.querySelector('[data-testid="file-speed"]')).toBeNull();
    expect(el.querySelector('[role="progressbar"]')!.getAttribute('aria-valuenow')).toBe('38');
  });

  it('says nothing about a check once every byte is hashed, and a mismatch is an alert', () => {
    setTransfers({ m1: { messageId: 'm1', direction: 'receive', state: 'verifying', progress: { bytes: 256 * MiB, total: 256 * MiB, bytesPerSec: 0, etaSec: 0 } } });
    expect(render().querySelector('[data-testid="file-verify-progress"]')).toBeNull();
    act(() => setTransfers({ m1: { messageId: 'm1', direction: 'receive', state: 'failed', error: 'checksum mismatch: the file arrived corrupted' } }));
    expect(host.querySelector('[role="alert"]')!.textContent).toContain('checksum mismatch');
    expect(host.querySelector('[data-testid="file-download"]')).toBeNull();
  });
});
