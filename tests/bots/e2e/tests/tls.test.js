// parley-bots against a parley-server with built-in TLS (issue 13): over wss:// with the dev CA
// given by --custom-ca they register; without it they refuse the server, say why and how to fix
// it, and never register.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Stack, freePort, root, sleep, waitFor } from './stack.js';

let stack, ca;

// /conns over https, trusting the dev CA (fetch here would not).
function connsNames() {
  const r = spawnSync('curl', ['-sS', '--cacert', ca, `https://127.0.0.1:${stack.port}/conns`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`curl: ${r.stderr}`);
  return Object.values(JSON.parse(r.stdout)).map((c) => c.node_name);
}

before(async () => {
  stack = new Stack();
  stack.port = await freePort();
  const tls = join(stack.dir, 'tls');
  const made = spawnSync(join(root, 'scripts/dev-ca.sh'), ['-d', tls, '127.0.0.1', 'localhost'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  ca = join(tls, 'ca.pem');
  stack.serverArgs.push('--tls-cert', join(tls, 'server.pem'), '--tls-key', join(tls, 'server.key'));
  await stack.startServer();
});

after(async () => { await stack?.stop(); });

test('bots over wss:// with --custom-ca register', async () => {
  stack.startBots(['--bots', 'EchoBot,CounterBot', '--custom-ca', ca], {}, `wss://127.0.0.1:${stack.port}/ws`);
  await waitFor(() => ['EchoBot', 'CounterBot'].every((n) => connsNames().includes(n)), 20000, 'bots registered over wss');
  await stack.stopBots();
});

test('bots without the CA refuse the server with a clear certificate error', async () => {
  stack.startBots(['--bots', 'EchoBot'], {}, `wss://127.0.0.1:${stack.port}/ws`);
  await waitFor(() => stack.botsLog().includes('EchoBot: signalling: certificate verify failed'), 10000, 'certificate error');
  assert.match(stack.botsLog(), /not trusted: give its CA with --custom-ca FILE/);
  await sleep(1000);
  assert.ok(!connsNames().includes('EchoBot'), 'a bot that does not trust the server must not register');
  await stack.stopBots();
});
