import { fork } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFileAtomically } from '../../../kernel/runtimes/build-file.ts';

const READER = fileURLToPath(new URL('./fixtures/read-until-told.mjs', import.meta.url));

describe('buildFileAtomically', () => {
  it('build file - another process reading the bundle while it is rebuilt sees it whole every time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-build-'));
    try {
      const source = join(dir, 'big.ts');
      const outfile = join(dir, 'big.mjs');
      // Large enough that writing it takes more than one read of the other process.
      await writeFile(source, `export const pad: string = '${'x'.repeat(200_000)}';\nexport const complete = 'END-OF-BUNDLE';\n`);
      const options = { entryPoints: [source], bundle: true, platform: 'node' as const, format: 'esm' as const, logLevel: 'silent' as const };
      buildFileAtomically(options, outfile);
      const reader = fork(READER, [outfile, 'END-OF-BUNDLE']);
      const result = new Promise<{ reads: number; partial: number }>((resolve) => reader.on('message', (m) => typeof m === 'object' && resolve(m as { reads: number; partial: number })));
      await new Promise<void>((resolve) => reader.once('message', () => resolve()));
      for (let i = 0; i < 150; i++) {
        buildFileAtomically(options, outfile);
        // Let the reader's read loop interleave with the builds.
        await new Promise((resolve) => setImmediate(resolve));
      }
      reader.send('stop');
      const { reads, partial } = await result;
      expect(reads).toBeGreaterThan(0);
      expect(partial).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
