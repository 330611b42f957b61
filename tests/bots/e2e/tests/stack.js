// Starts the real parley-server (serving the test page) and parley-bots on free loopback
// ports, plus a local OpenAI-compatible streaming stand-in for ChatBot.
import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../../../..');
export const buildDir = resolve(root, process.env.BUILD_DIR || 'build');

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
    s.on('error', rej);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 100 ms until it returns something truthy; throws after `ms`. */
export async function waitFor(fn, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

async function waitHttp(url, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // A server with --tls-cert answers plain http with a redirect to https: it is up too.
    try { const r = await fetch(url, { redirect: 'manual' }); if (r.ok || r.status === 308) return; } catch {}
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

// Streams "You said: <last user message>" as Server-Sent Events, a few characters at a time.
export function startFakeLlm() {
  const requests = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', async () => {
      const j = JSON.parse(body);
      requests.push(j);
      const last = j.messages.filter((m) => m.role === 'user').pop().content;
      const reply = `You said: ${last}`;
      if (!j.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: reply } }] }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < reply.length; i += 3) {
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: reply.slice(i, i + 3) } }] })}\n\n`);
        await sleep(60);
      }
      res.end('data: [DONE]\n\n');
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, port: server.address().port, requests })));
}

export class Stack {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'parley-bots-e2e-'));
    // The server's own data directory and management socket, never the machine's default.
    this.managementSocket = join(this.dir, 'run', 'management.sock');
    this.serverArgs = ['--data-dir', join(this.dir, 'data'), '--management-listen', this.managementSocket];
    // The bots' certificates, kept across restarts of parley-bots within one stack.
    this.botsDataDir = join(this.dir, 'bots-data');
  }

  async start(llmPort) {
    this.port = await freePort();
    await this.startServer();
    // A 660 Hz Ogg Opus file for MusicBot, written with libopus by the C++ test binary.
    this.oggFile = join(this.dir, 'tone660.opus');
    const w = spawnSync(join(buildDir, 'tests', 'bots', 'parley_bots_tests'), ['--write-ogg', this.oggFile, '660', '4']);
    if (w.status !== 0) throw new Error(`cannot write ${this.oggFile}: ${w.stderr}`);
    this.startBots([
      '--chatbot-model', 'e2e-model', '--chatbot-stream', '--chatbot-base-url', `http://127.0.0.1:${llmPort}/v1`,
      '--ogg-file', this.oggFile,
    ]);
    await this.waitForBots();
  }

  // parley-bots with `args` after the common ones, and `env` added to the environment.
  startBots(args, env = {}, wsServer = `ws://127.0.0.1:${this.port}/ws`) {
    const log = openSync(join(this.dir, 'bots.log'), 'a');
    this.bots = spawn(join(buildDir, 'parley-bots'), [
      '--ws-server', wsServer, '--ice-server', 'none', '--ice-loopback-only',
      '--bots-secret-env-file', '', '--reconnect-delay', '300ms', '--ping-period-seconds', '1s',
      ...(args.includes('--data-dir') ? [] : ['--data-dir', this.botsDataDir]), ...args,
    ], { cwd: this.dir, stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  }

  async stopBots(signal = 'SIGTERM') {
    if (!this.bots || this.bots.exitCode !== null) return;
    const exited = new Promise((r) => this.bots.once('exit', r));
    this.bots.kill(signal);
    await exited;
  }

  async startServer() {
    const log = openSync(join(this.dir, 'server.log'), 'a');
    this.server = spawn(join(buildDir, 'parley-server'), [
      '--listen', `127.0.0.1:${this.port}`, '--web-root', resolve(here, '../page'), '--env-file', '', ...this.serverArgs,
    ], { cwd: this.dir, stdio: ['ignore', log, log] });
    await waitHttp(`http://127.0.0.1:${this.port}/healthz`);
  }

  // `parley-server bots <args>` against this server's management socket; resolves to stdout.
  serverCli(args) {
    return new Promise((res, rej) => {
      const p = spawn(join(buildDir, 'parley-server'), ['bots', '--management-listen', this.managementSocket, ...args],
        { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '';
      p.stdout.on('data', (c) => { out += c; });
      p.stderr.on('data', (c) => { err += c; });
      p.on('exit', (code) => (code === 0 ? res(out.trim()) : rej(new Error(`parley-server bots ${args.join(' ')}: exit ${code}: ${err}`))));
    });
  }

  // SIGKILL: the server vanishes without close frames or cleanup, like a crash.
  async stopServer(signal = 'SIGTERM') {
    const exited = new Promise((r) => this.server.once('exit', r));
    this.server.kill(signal);
    await exited;
  }

  async waitForBots(names = ['EchoBot', 'CounterBot', 'ClockBot', 'MusicBot', 'ChatBot'], ms = 20000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      try {
        const conns = await (await fetch(`http://127.0.0.1:${this.port}/conns`)).json();
        const have = new Set(Object.values(conns).map((c) => c.node_name));
        if (names.every((n) => have.has(n))) return;
      } catch {}
      await sleep(200);
    }
    throw new Error(`bots did not register:\n${this.botsLog()}`);
  }

  botsLog() { try { return readFileSync(join(this.dir, 'bots.log'), 'utf8'); } catch { return ''; } }

  async stop() {
    for (const p of [this.bots, this.server]) {
      if (!p || p.exitCode !== null) continue;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    }
  }
}

// Debian's Chromium as every suite here drives it: loopback peers allowed, host candidates plain.
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--no-first-run', '--allow-loopback-in-peer-connection', '--disable-features=WebRtcHideLocalIpsWithMdns'],
  });
}
