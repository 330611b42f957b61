// Starts, stops and restarts a real parley-server for the end-to-end tests. The global setup
// starts it; state (port, pid, arguments) lives in a small JSON file so that tests can restart it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const STATE_FILE = join(tmpdir(), `parley-e2e-${process.env.PARLEY_E2E_ID ?? 'default'}.json`);

export interface ServerState { port: number; pid: number; args: string[]; binary: string; log: string; dir: string }

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export function binaryPath(): string {
  const b = resolve(REPO, process.env.BUILD_DIR ?? 'build', 'parley-server');
  if (!existsSync(b)) throw new Error(`parley-server not found at ${b}; build it first (BUILD_DIR=${process.env.BUILD_DIR ?? 'build'})`);
  return b;
}

export async function waitHealthy(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      // A server with --tls-cert answers plain http with a redirect to https: it is up too.
      const r = await fetch(`http://127.0.0.1:${port}/healthz`, { redirect: 'manual' });
      if (r.ok || r.status === 308) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`parley-server on :${port} did not become healthy`);
}

export function spawnServer(binary: string, args: string[], log: string, cwd: string, env?: Record<string, string>): number {
  const fd = openSync(log, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', fd, fd], detached: true, cwd, env: env ? { ...process.env, ...env } : process.env });
  child.unref();
  return child.pid!;
}

export async function startServer(): Promise<ServerState> {
  const binary = binaryPath();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const webRoot = resolve(REPO, 'web/dist');
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error('web/dist is missing: run npm run build first');
  // Loopback-only ICE: an unreachable loopback STUN entry keeps servers.json valid (§10.1)
  // without any traffic leaving the machine.
  // Accounts data and the management socket stay inside the test's own directory.
  const args = ['--listen', `127.0.0.1:${port}`, '--web-root', webRoot, '--ice-server', 'stun:127.0.0.1:9',
    '--data-dir', join(dir, 'data'), '--management-listen', join(dir, 'management.sock')];
  const log = join(dir, 'server.log');
  const pid = spawnServer(binary, args, log, dir);
  const state: ServerState = { port, pid, args, binary, log, dir };
  writeFileSync(STATE_FILE, JSON.stringify(state));
  await waitHealthy(port);
  return state;
}

export function readState(): ServerState {
  return JSON.parse(readFileSync(STATE_FILE, 'utf8')) as ServerState;
}

export function stopServer(state = readState(), signal: NodeJS.Signals = 'SIGTERM'): void {
  try { process.kill(state.pid, signal); } catch { /* gone */ }
}

async function waitGone(pid: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 50));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/** Stops the server, waits `downMs`, and starts it again on the same port. */
export async function restartServer(downMs = 500): Promise<ServerState> {
  await killServer('SIGTERM');
  await new Promise((r) => setTimeout(r, downMs));
  return startServerAgain();
}

/** Ends the server with `signal` (SIGKILL: no close frames, no cleanup) and waits until it is gone. */
export async function killServer(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const state = readState();
  stopServer(state, signal);
  await waitGone(state.pid);
}

/** Starts the server again with the same arguments, port and data directory. */
export async function startServerAgain(): Promise<ServerState> {
  const state = readState();
  const pid = spawnServer(state.binary, state.args, state.log, state.dir);
  const next = { ...state, pid };
  writeFileSync(STATE_FILE, JSON.stringify(next));
  await waitHealthy(state.port);
  return next;
}
