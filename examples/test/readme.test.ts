import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
// Snippets are written inside the repository (examples/test/out/ is git-ignored) so that their bare
// imports resolve like the tests' own: @tapegrad/* through vitest's aliases, the rest from node_modules.
const snippetDir = join(root, 'examples', 'test', 'out', 'readme-snippets');
afterAll(() => rmSync(snippetDir, { recursive: true, force: true }));

interface Snippet {
  line: number;
  code: string;
}

function tsBlocks(markdown: string): Snippet[] {
  const out: Snippet[] = [];
  const re = /^```ts\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(markdown); m !== null; m = re.exec(markdown)) {
    out.push({ line: markdown.slice(0, m.index).split('\n').length, code: m[1]! });
  }
  return out;
}

type Collected = [string, () => unknown][];

/**
 * A snippet that is a vitest suite (`import { it } from 'vitest'`) cannot call `it` while this test
 * runs; its `it` is swapped for one that collects the cases, which are then run here.
 */
function shimVitest(code: string): string {
  return code.replace(
    /^import \{ it \} from 'vitest';$/m,
    "const it = (name: string, fn: () => unknown): void => { (globalThis as unknown as { __readmeCases: [string, () => unknown][] }).__readmeCases.push([name, fn]); };",
  );
}

const snippets = tsBlocks(readme);

describe('README.md', () => {
  it('gives the two commands for a fresh machine, exactly', () => {
    expect(readme).toContain('npm install -g pnpm@10 && pnpm install --frozen-lockfile && pnpm build && pnpm train\n');
    expect(readme).toContain('npm install -g pnpm@10 && pnpm install --frozen-lockfile && pnpm build && pnpm test\n');
  });

  it('has the tour and guide snippets', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(6);
    expect(snippets.some((s) => s.code.includes('customOp('))).toBe(true);
    expect(snippets.some((s) => s.code.includes("from '@tapegrad/core/testing'"))).toBe(true);
  });

  for (const [i, snippet] of snippets.entries()) {
    it(`runs the ts snippet at line ${snippet.line}`, async () => {
      mkdirSync(snippetDir, { recursive: true });
      const file = join(snippetDir, `snippet-${i}-line-${snippet.line}.ts`);
      writeFileSync(file, `${shimVitest(snippet.code)}\nexport {};\n`);
      const g = globalThis as unknown as { __readmeCases: Collected };
      g.__readmeCases = [];
      await import(/* @vite-ignore */ file);
      for (const [name, fn] of g.__readmeCases) {
        try {
          await fn();
        } catch (error) {
          throw new Error(`README line ${snippet.line}, case '${name}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
      if (snippet.code.includes("from 'vitest'")) expect(g.__readmeCases.length).toBeGreaterThan(0);
    });
  }
});
