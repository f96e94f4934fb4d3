import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: the aliases map each package's public entry to its src/,
// so `pnpm test` needs no build step.
const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const alias = {
  '@tapegrad/core/testing': src('./packages/core/src/testing/index.ts'),
  '@tapegrad/core': src('./packages/core/src/index.ts'),
  '@tapegrad/nn': src('./packages/nn/src/index.ts'),
  '@tapegrad/datasets': src('./packages/datasets/src/index.ts'),
};

export default defineConfig({
  test: {
    projects: ['core', 'nn', 'datasets'].map((name) => ({
      resolve: { alias },
      test: { name, include: [`packages/${name}/test/**/*.test.ts`], testTimeout: 60_000 },
    })).concat([{ resolve: { alias }, test: { name: 'examples', include: ['examples/test/**/*.test.ts'], testTimeout: 120_000 } }]),
  },
});
