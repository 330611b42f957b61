// localStorage keys shared with the original web client (PROTOCOL.md §10.2). Every read is
// validated: another client, or a user, may have left anything there.
import type { Preference } from './types';
import { parseColourIndex } from '../protocol/palette';

function read(key: string): string | null {
  try { return localStorage.getItem(key); } catch { return null; }
}
function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch { /* storage full or disabled */ }
}

export function loadPreference(): Preference {
  try {
    const raw = JSON.parse(read('preference') ?? '{}') as Record<string, unknown>;
    const p: Preference = {};
    if (typeof raw.name === 'string') p.name = raw.name.slice(0, 64);
    const idx = parseColourIndex(raw.indexOfPreferColor);
    if (idx !== undefined) p.indexOfPreferColor = idx;
    return p;
  } catch {
    return {};
  }
}
export const savePreference = (p: Preference) => write('preference', JSON.stringify(p));

export const currentServer = () => read('current_server');
export const pinnedServer = () => read('pinned_server');
export const setCurrentServer = (id: string) => write('current_server', id);
export const setPinnedServer = (id: string | null) => write('pinned_server', id);

export function themeMode(): 'light' | 'dark' | 'system' {
  const m = read('mui-mode');
  return m === 'light' || m === 'dark' ? m : 'system';
}
export const setThemeMode = (m: 'light' | 'dark' | 'system') => write('mui-mode', m);

/** On each registration, entries for other node ids are dropped (§10.2). */
export function saveUnreads(ownId: string, ids: string[]): void {
  write('all_unreads', JSON.stringify({ [ownId]: ids }));
}

/** Drops `saved_scroll_top:<id>` keys of peers no longer online, so they cannot pile up. */
export function pruneScrollKeys(online: Set<string>): void {
  try {
    const prefix = 'saved_scroll_top:';
    const stale: string[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k?.startsWith(prefix) && !online.has(k.slice(prefix.length))) stale.push(k);
    }
    stale.forEach((k) => localStorage.removeItem(k));
  } catch { /* storage disabled */ }
}
