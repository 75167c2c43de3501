import { describe, expect, it } from 'vitest';
import { parseObject, validManifest } from './manifest-fixtures.ts';
import type { Application } from '../../../control-plane/manifest/index.ts';

function accepted(data: unknown): Application {
  const result = parseObject(data);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.errors)}`);
  return result.app;
}

describe('defaults', () => {
  it('defaults - fill every optional actor field that has one', () => {
    const app = accepted(validManifest());
    expect(app.spec.actors[0]).toEqual({
      id: 'ingest',
      behaviour: { module: './ingest.ts', export: 'default' },
      mode: 'inline',
      config: {},
      env: {},
      replicas: 1,
      restart: 'permanent',
      shutdownMs: 5000,
      persist: false,
      placement: { spread: 'none' },
      mailbox: {},
    });
  });

  it('defaults - give the application supervisor the runtime defaults and no backoff', () => {
    const app = accepted(validManifest());
    expect(app.spec.supervisor).toEqual({ strategy: 'one_for_one', intensity: 3, periodMs: 5000 });
  });

  it('defaults - complete a partial backoff and keep what was written', () => {
    const data = validManifest();
    data.spec.supervisor = { strategy: 'rest_for_one', backoff: { maxMs: 60_000 } };
    const app = accepted(data);
    expect(app.spec.supervisor).toEqual({
      strategy: 'rest_for_one',
      intensity: 3,
      periodMs: 5000,
      backoff: { initialMs: 100, maxMs: 60_000, multiplier: 2, resetAfterMs: 60_000 },
    });
  });

  it('defaults - give an application without routes an empty list', () => {
    const data = validManifest();
    delete data.spec.routes;
    expect(accepted(data).spec.routes).toEqual([]);
  });

  it('defaults - never override values that were set, and leave the input untouched', () => {
    const data = validManifest();
    Object.assign(data.spec.actors[0], { mode: 'worker', replicas: 2, restart: 'temporary', placement: { spread: 'one-per-node', sites: ['a'] }, mailbox: { maxAttempts: 7 } });
    const before = structuredClone(data);
    const actor = accepted(data).spec.actors[0];
    expect(actor).toMatchObject({ mode: 'worker', replicas: 2, restart: 'temporary', placement: { spread: 'one-per-node', sites: ['a'] }, mailbox: { maxAttempts: 7 } });
    expect(data).toEqual(before);
  });

  it('defaults - keep free-form config as written', () => {
    const data = validManifest();
    data.spec.actors[0].config = { nested: { list: [1, 'two', null], flag: true } };
    expect(accepted(data).spec.actors[0]?.config).toEqual({ nested: { list: [1, 'two', null], flag: true } });
  });
});
