// localStorage keys shared with the original web client (PROTOCOL.md §10.2). Every read is
// validated: another client, or a user, may have left anything there.
import type { Preference } from './records';
import { parseColourIndex } from '../protocol/palette';
import { parseProfile, type Profile } from '../protocol/profile';

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

/** `has_logged_in` and `logged_in_as` (§10.2), as the original client keeps them. */
export function loggedInAs(): Profile | null {
  if (read('has_logged_in') !== 'true') return null;
  try { return parseProfile(JSON.parse(read('logged_in_as') ?? 'null')); } catch { return null; }
}
export function setLoggedIn(p: Profile | null): void {
  write('has_logged_in', p ? 'true' : 'false');
  write('logged_in_as', p ? JSON.stringify(p) : null);
}

const LOGIN_STARTED = 'parley:login-started';
/** Marks a login attempt before the page navigates to the provider (session storage: this tab). */
export function markLoginStarted(): void {
  try { sessionStorage.setItem(LOGIN_STARTED, String(Date.now())); } catch { /* disabled */ }
}
/** True (once) when this page load is the return from a login attempt of the last 10 minutes. */
export function takeLoginStarted(now = Date.now()): boolean {
  try {
    const t = Number(sessionStorage.getItem(LOGIN_STARTED));
    sessionStorage.removeItem(LOGIN_STARTED);
    return Number.isFinite(t) && t > 0 && now - t < 10 * 60_000;
  } catch { return false; }
}
