// The account slice (§4.1): whether the session cookie names a user (`account`), the login that
// sends the whole page to the provider, the wait for its return, and the logout.
import { apiUrl, avatarUrl, loginHref, parseLoginStatus, parseProfile, type Profile } from '../protocol/profile';
import type { IdpEntry, ServerEntry } from '../protocol/serversJson';
import type { StoreAccess } from './Store';
import * as prefs from './localPrefs';
import type { AppState } from './types';

const LOGIN_POLL_MS = 3000;
const LOGIN_POLL_FOR_MS = 2 * 60_000;

/** What the account needs from the rest of the application. */
export interface AccountHost {
  /** the chosen server entry, whose `apiPrefix` the profile API is under */
  server(): ServerEntry | undefined;
  /** ends the signalling connection and every peer connection (the WebSocket was authenticated) */
  disconnect(forget: boolean): void;
}

export class Account {
  /** bumped by every account check; a newer check (or a cancel) ends an older one's polling */
  private generation = 0;

  constructor(private readonly store: StoreAccess<AppState>, private readonly host: AccountHost) {}

  /**
   * Whether the session cookie names a user: one `/profile/status` on load; after returning from
   * a login attempt, polled every 3 s for at most 2 min, then `/profile` once.
   */
  async checkAccount(afterLogin = prefs.takeLoginStarted()): Promise<void> {
    const server = this.host.server();
    if (!server) return;
    const generation = ++this.generation;
    const current = () => this.host.server() === server && this.generation === generation;
    const status = async () => {
      try {
        const res = await fetch(apiUrl(server.apiPrefix, '/profile/status'), { credentials: 'include', cache: 'no-store' });
        return res.ok && parseLoginStatus(await res.json());
      } catch { return false; }
    };
    let loggedIn = await status();
    if (!loggedIn && afterLogin) {
      this.store.set({ account: { status: 'finishing' } });
      const until = Date.now() + LOGIN_POLL_FOR_MS;
      while (!loggedIn && Date.now() < until && current()) {
        await new Promise((r) => setTimeout(r, LOGIN_POLL_MS));
        if (current()) loggedIn = await status();
      }
    }
    if (!current()) return;
    if (!loggedIn) {
      prefs.setLoggedIn(null);
      this.store.set({ account: { status: 'anonymous', error: afterLogin ? 'Sign-in did not complete. Please try again.' : undefined } });
      return;
    }
    let profile: Profile | null = null;
    try {
      const res = await fetch(apiUrl(server.apiPrefix, '/profile'), { credentials: 'include', cache: 'no-store' });
      if (res.ok) profile = parseProfile(await res.json());
    } catch { /* below */ }
    if (!current()) return;
    if (!profile) {
      this.store.set({ account: { status: 'anonymous', error: 'Could not load your profile.' } });
      return;
    }
    prefs.setLoggedIn(profile);
    this.store.set({ account: { status: 'signed-in', profile, avatar: profile.avatarURL ? avatarUrl(server.apiPrefix) : undefined } });
  }

  /** Stops waiting for a login the user abandoned at the provider. */
  cancelLogin(): void {
    if (this.store.get().account.status !== 'finishing') return;
    this.generation++;
    this.store.set({ account: { status: 'anonymous' } });
  }

  /** Starts a login: the whole page goes to the provider's `loginUrl` (§4.1). */
  login(idp: IdpEntry): void {
    const href = loginHref(idp, window.location.origin);
    if (!href) return;
    prefs.markLoginStarted();
    window.location.assign(href);
  }

  /**
   * Logs out (§3.6): the session ends on the server. The WebSocket was authenticated when it was
   * opened (§2.2), so it is closed too; the connect screen comes back.
   */
  async logout(): Promise<void> {
    const server = this.host.server();
    if (server) {
      try { await fetch(apiUrl(server.apiPrefix, '/logout'), { method: 'POST', credentials: 'include' }); } catch { /* the cookie stays; shown below */ }
    }
    this.host.disconnect(true);
    prefs.setLoggedIn(null);
    await this.checkAccount(false);
  }
}
