// The package is built wherever it is installed from source: `npm ci` and `npm pack` both run
// `prepare`, and `npm test` builds before it tests (the pack test packs that build as it is).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
  scripts: Record<string, string>;
};

describe('package scripts', () => {
  it('prepare runs the build, so npm ci and npm pack emit dist/', () => {
    expect(pkg.scripts.prepare).toBe('npm run build');
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json$/);
  });

  it('the test command builds dist/ before any test imports it', () => {
    expect(pkg.scripts.test).toMatch(/^npm run build && /);
  });
});
