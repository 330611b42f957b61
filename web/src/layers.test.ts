// The layering of docs/WEB_CLIENT.md, checked on the sources: lib → protocol → signalling → rtc →
// store → ui, each folder importing only its own and lower ones, and no import cycles (type-only
// imports included: a cycle of types is still a knot to untie).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));
const RANK: Record<string, number> = { lib: 0, protocol: 1, signalling: 2, rtc: 3, workers: 3, store: 4, ui: 5 };
const TOP = 6; // main.tsx and anything else at the root

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) ? [p] : [];
  });
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null; // packages
  const base = resolve(dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

/** Relative imports of a file: `import … from`, `export … from`, bare `import '…'`, `import('…')`. */
function importsOf(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const rel = (p: string) => relative(SRC, p).replaceAll('\\', '/');
const rankOf = (p: string) => RANK[rel(p).split('/')[0]] ?? TOP;

const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(readFileSync(f, 'utf8')).map((s) => resolveImport(f, s)).filter((x): x is string => x !== null)]));

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === 'open') found.push([...stack.slice(stack.indexOf(g)), g].map(rel));
      else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return found;
}

describe('web/src layering', () => {
  it('finds the imports of a file', () => {
    expect(importsOf("import { a } from './a';\nimport type {\n  B,\n} from '../b';\nexport { c } from './c';\nimport './d';\nconst e = import('./e');")).toEqual(['./a', '../b', './c', './d', './e']);
  });

  it('has no import cycles', () => {
    expect(cycles()).toEqual([]);
  });

  it('keeps the store slices apart: they reach each other only through the hosts AppStore passes', () => {
    const slices = ['Connection', 'Account', 'Presence', 'Conversations', 'Messaging', 'FileTransfers'].map((n) => resolve(SRC, 'store', `${n}.ts`));
    expect(slices.filter((f) => !graph.has(f)).map(rel)).toEqual([]);
    const crossing: string[] = [];
    for (const f of slices) for (const d of graph.get(f) ?? []) if (slices.includes(d)) crossing.push(`${rel(f)} → ${rel(d)}`);
    expect(crossing).toEqual([]);
  });

  it('never imports a higher layer', () => {
    const upward: string[] = [];
    for (const [f, deps] of graph) for (const d of deps) if (rankOf(d) > rankOf(f)) upward.push(`${rel(f)} → ${rel(d)}`);
    expect(upward).toEqual([]);
  });
});
