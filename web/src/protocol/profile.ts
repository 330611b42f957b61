// Profiles and login state (PROTOCOL.md §3.4, §4.1, §10.1 `idp`, §10.2 `logged_in_as`).

export interface Profile { username: string; displayName?: string; avatarURL?: string }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{"username","displayName"?,"avatarURL"?}`; null when there is no usable username. */
export function parseProfile(raw: unknown): Profile | null {
  if (!isObj(raw) || typeof raw.username !== 'string' || !raw.username.trim()) return null;
  const p: Profile = { username: raw.username.slice(0, 64) };
  if (typeof raw.displayName === 'string' && raw.displayName.trim()) p.displayName = raw.displayName.trim().slice(0, 64);
  if (typeof raw.avatarURL === 'string' && raw.avatarURL) p.avatarURL = raw.avatarURL;
  return p;
}

/** `/profile/status` → `{"logged_in":bool}`; anything else counts as not logged in. */
export const parseLoginStatus = (raw: unknown): boolean => isObj(raw) && raw.logged_in === true;

/** Joins the API prefix (a path or an absolute URL, §10.1) and a route. */
export function apiUrl(apiPrefix: string, route: string): string {
  return `${apiPrefix.replace(/\/+$/, '')}${route}`;
}

/** The avatar of a user (§3.5): own when no username is given. */
export function avatarUrl(apiPrefix: string, username?: string): string {
  return apiUrl(apiPrefix, username ? `/profile/avatar?username=${encodeURIComponent(username)}` : '/profile/avatar');
}

export type IdpKind = 'github' | 'kioubit' | 'generic';

/** Which button an `idp` entry gets (§10.1): GitHub, Kioubit, or a generic "Login". */
export function idpKind(kind: string): IdpKind {
  return kind === 'github' ? 'github' : kind === 'kioubit' ? 'kioubit' : 'generic';
}

export function idpLabel(idp: { kind: string; displayName?: string }): string {
  if (idp.displayName?.trim()) return idp.displayName.trim().slice(0, 64);
  const k = idpKind(idp.kind);
  return k === 'github' ? 'Sign in with GitHub' : k === 'kioubit' ? 'Sign in with Kioubit' : 'Login';
}

/**
 * Where the login button goes (§4.1): `loginUrl` itself, with the entry's `parameters` (if any)
 * added to its query. Only http(s) URLs and same-origin paths are followed.
 */
export function loginHref(idp: { loginUrl: string; parameters?: Record<string, string> }, origin: string): string | null {
  let url: URL;
  try { url = new URL(idp.loginUrl, origin); } catch { return null; }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (idp.parameters && typeof idp.parameters === 'object') {
    for (const [k, v] of Object.entries(idp.parameters)) if (typeof v === 'string') url.searchParams.set(k, v);
  }
  return url.origin === origin ? `${url.pathname}${url.search}` : url.href;
}
