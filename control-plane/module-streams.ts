import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ensureStream } from '../kernel/index.ts';
import { deleteOwnedStream } from './delete-stream.ts';
import { CairnError, DeployCodes, Streams } from '../protocols/index.ts';
import type { LoadedActor } from './load-behaviour.ts';
import type { SiteInstance } from './site-instances.ts';

/** Stream metadata: which site, application and kind of owner a stream is for (sweeps read it). */
const SITE = 'cairn.site';
const APP = 'cairn.app';
const KIND = 'cairn.kind';
const MODULE_KIND = 'module-stream';

export type ModuleStreamConfig = Partial<StreamConfig> & { name: string };

/**
 * The streams the modules of an app need on this site: for each instance here whose module
 * declares streams, one per declared stream, named after the instance and owned by the app. Pure.
 */
export function planModuleStreams(site: string, app: string, instances: readonly SiteInstance[], loaded: ReadonlyMap<string, Pick<LoadedActor, 'module' | 'config'>>): ModuleStreamConfig[] {
  return instances.flatMap((instance) => {
    const l = loaded.get(instance.actor.id);
    if (!l?.module?.streams) return [];
    return l.module.streams(l.config as never).map((s): ModuleStreamConfig => ({
      name: Streams.module(site, instance.instanceId, s.name),
      subjects: [...s.subjects],
      retention: s.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: s.discard === 'new' ? DiscardPolicy.New : DiscardPolicy.Old,
      // Every limit written, unlimited ones too: an update merges into the stream's config, and a
      // limit the module no longer declares must not linger.
      max_age: s.maxAgeMs === undefined ? 0 : nanos(s.maxAgeMs),
      max_msgs: s.maxMsgs ?? -1,
      max_bytes: s.maxBytes ?? -1,
      metadata: { [SITE]: site, [APP]: app, [KIND]: MODULE_KIND },
    }));
  });
}

/** Whether a stream's metadata says it is a module stream of `site` (and of `app`, when given). */
export function isModuleStreamOf(metadata: Readonly<Record<string, string>> | undefined, site: string, app?: string): boolean {
  return metadata?.[KIND] === MODULE_KIND && metadata[SITE] === site && (app === undefined || metadata[APP] === app);
}

/**
 * Makes the module streams of this site's apps what their plans say: created or updated before the
 * app's actors start, those no longer declared deleted, all of an app's deleted with the app.
 */
export class ModuleStreams {
  constructor(private readonly o: { readonly site: string; readonly jsm: JetStreamManager; readonly log: Logger }) {}

  /** Deletes the app's module streams here that `configs` no longer has, then creates or updates those. */
  async apply(app: string, configs: readonly ModuleStreamConfig[]): Promise<void> {
    // Unused ones first: a stream renamed with the same subjects would overlap its old self.
    const wanted = new Set(configs.map((c) => c.name));
    for (const name of await this.owned(app)) if (!wanted.has(name)) await this.delete(name);
    for (const config of configs) {
      try {
        await ensureStream(this.o.jsm, config);
      } catch (err) {
        throw new CairnError(DeployCodes.MODULE_STREAM_FAILED, `cannot create stream ${config.name} that a module of application "${app}" needs (subjects ${config.subjects?.join(', ')}): ${(err as Error).message}`, {
          cause: err,
          details: { app, stream: config.name, subjects: config.subjects },
        });
      }
    }
  }

  /** Deletes every module stream of `app` here (the app was deleted, or left this site). */
  async remove(app: string): Promise<void> {
    for (const name of await this.owned(app)) await this.delete(name);
  }

  /** Deletes the module streams of apps `wanted` says no to (gone while no controller ran here). */
  async sweep(wanted: (app: string) => Promise<boolean>): Promise<string[]> {
    const byApp = new Map<string, string[]>();
    for await (const info of this.o.jsm.streams.list()) {
      const meta = info.config.metadata;
      if (isModuleStreamOf(meta, this.o.site)) byApp.set(meta![APP]!, [...(byApp.get(meta![APP]!) ?? []), info.config.name]);
    }
    const swept: string[] = [];
    for (const [app, names] of byApp) {
      if (await wanted(app)) continue;
      for (const name of names) await this.delete(name);
      swept.push(app);
    }
    return swept;
  }

  private async owned(app: string): Promise<string[]> {
    const names: string[] = [];
    for await (const info of this.o.jsm.streams.list()) if (isModuleStreamOf(info.config.metadata, this.o.site, app)) names.push(info.config.name);
    return names;
  }

  private delete(stream: string): Promise<void> {
    return deleteOwnedStream(this.o.jsm, this.o.log, stream, 'module stream');
  }
}
