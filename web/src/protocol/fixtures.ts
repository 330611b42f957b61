// Loads the shared wire fixtures (tests/fixtures at the repository root) for Vitest.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '../../../tests/fixtures');
export const loadFixture = <T>(rel: string): T => JSON.parse(readFileSync(resolve(root, rel), 'utf8')) as T;
export const hex = (s: string): Uint8Array => new Uint8Array((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));
