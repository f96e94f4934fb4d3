import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getBackend, listBackends, referenceBackend, setBackend, type Backend } from '@tapegrad/core';
import { installWasmBackend } from '../../src/backend/wasm/install.js';
import { hasRelaxedSimd, loadRuntime } from '../../src/backend/wasm/runtime.js';
import { createWasmBackend } from '../../src/backend/wasm/index.js';
import { ensureBuilt, mismatch, threadedBackend, uniform } from './helpers.js';

const coreDir = fileURLToPath(new URL('../../', import.meta.url));

beforeAll(() => ensureBuilt());

describe('loading', () => {
  it('uses the relaxed-SIMD (FMA) build exactly where the runtime validates relaxed SIMD', async () => {
    const wasm = await threadedBackend();
    expect(wasm.relaxedSimd).toBe(hasRelaxedSimd());
    const validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate;
    expect(validate(readFileSync(join(coreDir, 'wasm/build/tapegrad-simd.wasm')))).toBe(true);
    expect(validate(readFileSync(join(coreDir, 'wasm/build/tapegrad-relaxed.wasm')))).toBe(hasRelaxedSimd());
  });

  it('says where the module was expected and how to build it when it is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tapegrad-nowasm-'));
    try {
      expect(() => loadRuntime({ buildDir: pathToFileURL(empty + '/') })).toThrow(/tapegrad-(simd|relaxed)\.wasm not found \(build it with `pnpm build`\)/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('uses the reference kernel for a call that needs more memory than the arena can grow to', () => {
    const small = createWasmBackend({ threads: 1, maximumPages: 400 }); // 25 MiB in all
    const a = uniform(3000, 1);
    const b = uniform(3000, 2);
    const got = new Float32Array(3000 * 3000); // 36 MB: cannot fit (transA: not streamed by rows)
    const want = new Float32Array(3000 * 3000);
    small.matmul(a, b, got, 3000, 1, 3000, true, false);
    referenceBackend.matmul(a, b, want, 3000, 1, 3000, true, false);
    expect(mismatch(got, want)).toBeNull();
    const x = uniform(3000 * 3000, 3);
    const t = new Float32Array(x.length);
    const tRef = new Float32Array(x.length);
    small.permute(x, [3000, 3000], [1, 0], t);
    referenceBackend.permute(x, [3000, 3000], [1, 0], tRef);
    expect(mismatch(t, tRef, { rtol: 0, atol: 0 })).toBeNull();
    // and it still works for calls that fit
    const c = new Float32Array(4);
    small.matmul(Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 0, 0, 1]), c, 2, 2, 2, false, false);
    expect([...c]).toEqual([1, 2, 3, 4]);
  });

  it('is the default backend; setBackend switches between it and the reference', () => {
    const initial = getBackend();
    try {
      expect(listBackends()).toEqual(expect.arrayContaining(['reference', 'wasm']));
      expect(initial.name).toBe(process.env['TAPEGRAD_BACKEND'] === 'reference' ? 'reference' : 'wasm');
      setBackend('reference');
      expect(getBackend()).toBe(referenceBackend);
      setBackend('wasm');
      expect(getBackend().name).toBe('wasm');
    } finally {
      setBackend(initial);
    }
  });
});

describe('installWasmBackend', () => {
  const fake = { name: 'wasm' } as Backend;
  it('registers and activates the backend', () => {
    const register = vi.fn();
    const activate = vi.fn();
    const warn = vi.fn();
    expect(installWasmBackend({ create: () => fake, register, activate, env: undefined, warn })).toBe(fake);
    expect(register).toHaveBeenCalledWith(fake);
    expect(activate).toHaveBeenCalledWith('wasm');
    expect(warn).not.toHaveBeenCalled();
  });
  it('TAPEGRAD_BACKEND=reference registers it but keeps the reference active', () => {
    const register = vi.fn();
    const activate = vi.fn();
    installWasmBackend({ create: () => fake, register, activate, env: 'reference', warn: vi.fn() });
    expect(register).toHaveBeenCalledWith(fake);
    expect(activate).not.toHaveBeenCalled();
  });
  it('falls back to the reference with one notice naming the reason when the module cannot load', () => {
    const register = vi.fn();
    const activate = vi.fn();
    const warn = vi.fn();
    const create = () => {
      throw new Error('/x/tapegrad-simd.wasm not found (build it with `pnpm build`)');
    };
    expect(installWasmBackend({ create, register, activate, env: undefined, warn })).toBeNull();
    expect(register).not.toHaveBeenCalled();
    expect(activate).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/could not load \(\/x\/tapegrad-simd\.wasm not found .*\); using the reference backend/);
  });
});

/**
 * Whole-program behaviour needs a fresh Node process running JavaScript: core's sources are
 * transpiled (type stripping only) into a temporary package whose wasm/ folder links to the real one.
 */
describe('in a separate Node process', () => {
  let root = '';
  const run = (script: string, env: Record<string, string> = {}) =>
    spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'tapegrad-core-js-'));
    const src = join(coreDir, 'src');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
    for (const file of walk(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
      const out = join(root, 'src', relative(src, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(out), { recursive: true });
      const js = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      }).outputText;
      writeFileSync(out, js);
    }
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }');
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('exits as soon as the program is done, though worker threads were busy (they are unref\'d)', () => {
    symlinkSync(join(coreDir, 'wasm'), join(root, 'wasm'));
    try {
      const r = run(`
        import { createWasmBackend } from './src/backend/wasm/index.js';
        const be = createWasmBackend({ threads: 3 });
        await be.startWorkers();
        const n = 300, a = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
        // (on a busy machine the main thread may finish a job before a worker wakes: repeat a little)
        for (let i = 0; i < 100 && be.workerChunks() === 0; i++) be.matmul(a, a, c, n, n, n, false, false);
        console.log('done', c[0], be.workerCount(), be.workerChunks() > 0);
      `);
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('done 300 2 true');
    } finally {
      rmSync(join(root, 'wasm'));
    }
  });

  // Both builds, whatever this Node validates by default: V8's flag turns relaxed SIMD on or off.
  for (const [flag, relaxed] of [['--experimental-wasm-relaxed-simd', true], ['--no-experimental-wasm-relaxed-simd', false]] as const) {
    it(`with ${flag}: picks the ${relaxed ? 'relaxed-SIMD (FMA)' : 'plain SIMD'} build, and its kernels agree with the reference`, () => {
      symlinkSync(join(coreDir, 'wasm'), join(root, 'wasm'));
      try {
        const r = spawnSync(process.execPath, [flag, '--input-type=module', '-e', `
          import { createWasmBackend } from './src/backend/wasm/index.js';
          import { referenceBackend as ref } from './src/backend/reference/index.js';
          const be = createWasmBackend({ threads: 3 });
          await be.startWorkers();
          let seed = 1;
          const rnd = (n) => Float32Array.from({ length: n }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1);
          let worst = 0;
          const check = (got, want, scale) => {
            for (let i = 0; i < got.length; i++) {
              const tol = 1e-5 + 1e-4 * Math.max(Math.abs(want[i]), scale ? scale[i] : 0);
              worst = Math.max(worst, Math.abs(got[i] - want[i]) / tol);
            }
          };
          for (const [m, k, n] of [[1, 1, 1], [7, 33, 17], [65, 300, 33], [257, 300, 129], [30, 20000, 25]])
            for (const ta of [false, true]) for (const tb of [false, true]) {
              const a = rnd(m * k), b = rnd(k * n), got = new Float32Array(m * n), want = new Float32Array(m * n), s = new Float32Array(m * n);
              be.matmul(a, b, got, m, k, n, ta, tb);
              ref.matmul(a, b, want, m, k, n, ta, tb);
              ref.matmul(a.map(Math.abs), b.map(Math.abs), s, m, k, n, ta, tb);
              check(got, want, s);
            }
          for (const op of ['exp', 'tanh', 'sigmoid', 'relu']) {
            const x = rnd(100003).map((v) => v * 20), got = new Float32Array(x.length), want = new Float32Array(x.length);
            be.unary(op, x, got);
            ref.unary(op, x, want);
            check(got, want);
          }
          const g = { n: 50, c: 3, h: 28, w: 28, kh: 5, kw: 5, sh: 1, sw: 1, ph: 2, pw: 2, oh: 28, ow: 28 };
          const x = rnd(50 * 3 * 784), col = new Float32Array(50 * 784 * 75), colRef = new Float32Array(col.length);
          be.im2col(x, g, col);
          ref.im2col(x, g, colRef);
          check(col, colRef);
          const n = 300, a = new Float32Array(n * n).fill(1), c = new Float32Array(n * n);
          for (let i = 0; i < 100 && be.workerChunks() === 0; i++) be.matmul(a, a, c, n, n, n, false, false);
          console.log(JSON.stringify({ relaxed: be.relaxedSimd, worst, workerChunks: be.workerChunks() }));
        `], { cwd: root, encoding: 'utf8', timeout: 60_000 });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const out = JSON.parse(r.stdout) as { relaxed: boolean; worst: number; workerChunks: number };
        expect(out.relaxed).toBe(relaxed);
        expect(out.worst).toBeLessThanOrEqual(1);
        expect(out.workerChunks).toBeGreaterThan(0);
      } finally {
        rmSync(join(root, 'wasm'));
      }
    });
  }

  it('falls back to the reference with a single notice on stderr when the module is not built', () => {
    mkdirSync(join(root, 'wasm', 'build'), { recursive: true });
    try {
      const r = run(`
        import { getBackend, listBackends, tensor, matmul } from './src/index.js';
        const y = matmul(tensor([[1, 2]]), tensor([[3], [4]]));
        console.log(getBackend().name, listBackends().join(','), y.item());
      `);
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('reference reference 11');
      const notices = r.stderr.split('\n').filter((l) => l.includes('tapegrad'));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatch(/fast WebAssembly backend could not load \(.*tapegrad-simd\.wasm not found \(build it with `pnpm build`\)\); using the reference backend/);
    } finally {
      rmSync(join(root, 'wasm'), { recursive: true });
    }
  });

  it('TAPEGRAD_BACKEND=reference selects the reference, quietly', () => {
    symlinkSync(join(coreDir, 'wasm'), join(root, 'wasm'));
    try {
      const r = run(`
        import { getBackend, listBackends } from './src/index.js';
        console.log(getBackend().name, listBackends().join(','));
      `, { TAPEGRAD_BACKEND: 'reference' });
      expect(r.status).toBe(0);
      expect(r.stdout.trim()).toBe('reference reference,wasm');
      expect(r.stderr).not.toMatch(/tapegrad/);
    } finally {
      rmSync(join(root, 'wasm'));
    }
  });
});
