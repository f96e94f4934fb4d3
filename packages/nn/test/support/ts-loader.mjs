// Node ESM hooks that let a child process run the TypeScript sources directly (Node 20 cannot strip
// types), so tests that spawn processes need no `pnpm build`: `@tapegrad/*` resolve to packages/*/src
// (the same map as vitest.config.ts), `./x.js` imports from a .ts file resolve to `./x.ts`, and .ts
// files are transpiled with the workspace's typescript (cached on disk, keyed by path, size and mtime,
// so repeated child processes start fast). Use: `node --import <this folder>/register.mjs script.mjs`.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('../../../../', import.meta.url);
const aliases = {
  '@tapegrad/core/testing': 'packages/core/src/testing/index.ts',
  '@tapegrad/core': 'packages/core/src/index.ts',
  '@tapegrad/nn': 'packages/nn/src/index.ts',
  '@tapegrad/datasets': 'packages/datasets/src/index.ts',
};
const cacheDir = join(tmpdir(), 'tapegrad-ts-loader-cache');
let ts;

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(aliases, specifier)) return { url: new URL(aliases[specifier], root).href, shortCircuit: true };
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const url = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(fileURLToPath(url))) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const st = statSync(file);
  const key = createHash('sha1').update(`${file}:${st.size}:${st.mtimeMs}`).digest('hex');
  const cached = join(cacheDir, `${key}.js`);
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  ts ??= (await import('typescript')).default;
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
  });
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cached, out.outputText);
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
