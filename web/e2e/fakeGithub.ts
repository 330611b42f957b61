// A small local stand-in for GitHub's OAuth and user API (the endpoints PROTOCOL.md §4.2 uses),
// so that the login test needs no internet:
//   GET    /login/oauth/authorize?client_id&redirect_uri&scope&state   → 302 to redirect_uri?code&state
//   POST   /login/oauth/access_token  (form body or query)             → {"access_token","token_type","scope"}
//   GET    /user  (Authorization: Bearer <token>)                       → {"login","id","name","avatar_url"}
//   DELETE /applications/<client_id>/token (basic auth, JSON body)     → 204, the token is revoked
//   GET    /avatars/<login>.png                                         → a PNG (the avatar_url)
//   GET    /kioubit-stand-in/                                          → a page (Kioubit's login page)
// It checks what GitHub checks (client id and secret, single-use codes bound to the redirect URI,
// live tokens) and records every request so the test can assert on the conversation.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { makePng } from './pngFixture';

export interface GithubUser { id: number; login: string; name: string }
export interface SeenRequest { method: string; path: string; contentType?: string; body: string; authorization?: string; accept?: string }

export class FakeGithub {
  readonly clientId = 'Iv1.parleytest';
  readonly clientSecret = randomBytes(16).toString('hex');
  readonly requests: SeenRequest[] = [];
  readonly revoked: string[] = [];
  private codes = new Map<string, { redirectUri: string; user: GithubUser }>();
  private tokens = new Map<string, GithubUser>();
  private server: Server | null = null;
  port = 0;

  constructor(public user: GithubUser) {}

  get base(): string { return `http://127.0.0.1:${this.port}`; }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    this.requests.push({ method: req.method ?? '', path: url.pathname, contentType: req.headers['content-type'], body, authorization: req.headers.authorization, accept: req.headers.accept });
    const json = (status: number, v: unknown) => { res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }); res.end(JSON.stringify(v)); };

    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      if (q.get('client_id') !== this.clientId || !redirectUri.startsWith('http') || !q.get('state')) return json(400, { error: 'bad authorize request' });
      const code = randomBytes(10).toString('hex');
      this.codes.set(code, { redirectUri, user: this.user });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      res.writeHead(302, { location: back.href });
      res.end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      // GitHub takes the parameters from the query or a form body; Parley sends a form body (§4.2).
      const p = new URLSearchParams(req.headers['content-type']?.includes('application/x-www-form-urlencoded') ? body : url.search);
      const grant = this.codes.get(p.get('code') ?? '');
      this.codes.delete(p.get('code') ?? ''); // single use
      if (p.get('client_id') !== this.clientId || p.get('client_secret') !== this.clientSecret) return json(200, { error: 'incorrect_client_credentials' });
      if (!grant || grant.redirectUri !== p.get('redirect_uri')) return json(200, { error: 'bad_verification_code' });
      const token = `gho_${randomBytes(12).toString('hex')}`;
      this.tokens.set(token, grant.user);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user' });
    }
    if (req.method === 'GET' && url.pathname === '/user') {
      const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const user = this.tokens.get(token);
      if (!user) return json(401, { message: 'Bad credentials' });
      return json(200, { login: user.login, id: user.id, name: user.name, avatar_url: `${this.base}/avatars/${user.login}.png`, type: 'User' });
    }
    const revoke = /^\/applications\/([^/]+)\/token$/.exec(url.pathname);
    if (req.method === 'DELETE' && revoke) {
      const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
      if (revoke[1] !== this.clientId || req.headers.authorization !== expected) return json(401, { message: 'Requires authentication' });
      let token = '';
      try { token = (JSON.parse(body) as { access_token?: string }).access_token ?? ''; } catch { /* below */ }
      if (!this.tokens.delete(token)) return json(404, { message: 'Not Found' });
      this.revoked.push(token);
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/kioubit-stand-in/')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Kioubit stand-in</title><link rel="icon" href="data:,"><p>Kioubit login page stand-in</p>');
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/avatars/')) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(makePng(64, 64));
      return;
    }
    json(404, { message: 'Not Found' });
  }
}
