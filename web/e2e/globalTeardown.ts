import { stopServer } from './serverControl';

export default async function globalTeardown(): Promise<void> {
  stopServer();
}
