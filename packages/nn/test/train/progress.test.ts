import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { autoProgressMode, createProgress } from '@tapegrad/nn';

/** A stream that says it is a terminal and records what is written to it. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  const chunks: string[] = [];
  pass.on('data', (c: Buffer) => chunks.push(c.toString()));
  Object.assign(pass, { isTTY: true, columns: 200, rows: 40 });
  return { stream: pass as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

describe('progress', () => {
  it('draws a bar with batch, loss, speed and ETA on a terminal, then the epoch line', async () => {
    const term = fakeTerminal();
    const lines: string[] = [];
    const p = createProgress({ mode: 'bar', stream: term.stream, log: (l) => lines.push(l) });
    p.epochStart(1, 3, 4);
    for (let i = 1; i <= 4; i++) {
      await new Promise((r) => setTimeout(r, 5)); // the bar redraws at most every few ms
      p.batch(i, 0.5 / i, 100 * i);
    }
    p.epochEnd('epoch 1/3 done');
    p.close();
    await new Promise((r) => setImmediate(r));
    const out = term.text();
    expect(out).toMatch(/epoch 1\/3 \|.*\| batch \d\/4 \| loss 0\.\d{4} \| \d+ img\/s \| ETA /);
    expect(lines).toEqual(['epoch 1/3 done']);
  });

  it('is plain lines when stderr is not a terminal, and silent in none mode', () => {
    expect(autoProgressMode({ isTTY: false } as NodeJS.WriteStream)).toBe('lines');
    expect(autoProgressMode({ isTTY: true } as NodeJS.WriteStream)).toBe('bar');
    const lines: string[] = [];
    const p = createProgress({ mode: 'lines', log: (l) => lines.push(l) });
    p.epochStart(1, 1, 2);
    p.batch(1, 1, 10);
    p.epochEnd('e1');
    p.message('m');
    expect(lines).toEqual(['e1', 'm']);
    const q = createProgress({ mode: 'none', log: (l) => lines.push(l) });
    q.epochEnd('x');
    expect(lines).toHaveLength(2);
  });
});
