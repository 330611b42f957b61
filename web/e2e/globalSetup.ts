import { startServer } from './serverControl';

export default async function globalSetup(): Promise<void> {
  const s = await startServer();
  process.env.PARLEY_URL = `http://127.0.0.1:${s.port}/`;
  console.log(`parley-server pid ${s.pid} on :${s.port} (log ${s.log})`);
}
