import { access, readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { extname, join } from 'node:path';
import { CairnError, DeployCodes, isName } from '../../protocols/index.ts';
import type { ActorSystem } from '../../supervisor-trees/index.ts';

/** What an `examples/<name>/app.ts` module exports. */
export interface ExampleApp {
  readonly name: string;
  /** Supervises the app's tree on `system`; resolves with the function that stops it. */
  start(system: ActorSystem, options?: unknown): Promise<() => Promise<void>>;
  /** Commands worth trying once it runs (shown by `cairn up`). */
  readonly tryNext: readonly string[];
}

/** The examples/ directory beside this code: the sources' in a checkout, the built one in the package. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));

/** An example's entry file: `app.ts` beside the sources, `app.js` in the built package. */
const APP_FILE = `app${extname(fileURLToPath(import.meta.url))}`;

/** Names of the examples that have an app.ts. */
export async function listExamples(dir: string = EXAMPLES_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    if (await access(join(dir, e.name, APP_FILE)).then(() => true, () => false)) names.push(e.name);
  }
  return names.sort();
}

/** Imports `examples/<name>/app.ts` and checks it exports `start`. */
export async function loadExample(name: string, dir: string = EXAMPLES_DIR): Promise<ExampleApp> {
  const available = await listExamples(dir);
  if (!isName(name) || !available.includes(name)) {
    throw new CairnError(
      DeployCodes.EXAMPLE_NOT_FOUND,
      `example ${JSON.stringify(name)} not found in ${dir}; use one of: ${[...available, 'none'].join(', ')} (none starts no application)`,
      { details: { name, available } },
    );
  }
  const mod = (await import(pathToFileURL(join(dir, name, APP_FILE)).href)) as { start?: unknown; tryNext?: unknown };
  if (typeof mod.start !== 'function') {
    throw new CairnError(DeployCodes.EXAMPLE_INVALID, `examples/${name}/app.ts exports no start function (got ${typeof mod.start}); export async function start(system) that returns a stop function`, { details: { name } });
  }
  const start = mod.start as ExampleApp['start'];
  return {
    name,
    tryNext: Array.isArray(mod.tryNext) ? mod.tryNext.map(String) : [],
    async start(system, options) {
      const stop = await start(system, options);
      if (typeof stop !== 'function') {
        throw new CairnError(DeployCodes.EXAMPLE_INVALID, `start() of examples/${name}/app.ts resolved with ${typeof stop}, not a stop function; return () => system.stop(handle.id)`, { details: { name } });
      }
      return stop;
    },
  };
}
