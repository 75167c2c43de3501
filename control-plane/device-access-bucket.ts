import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { Buckets, CairnError, DeployCodes } from '../protocols/index.ts';
import type { DeviceAccess } from '../protocols/index.ts';
import { deviceAccessConflicts } from './device-access-plan.ts';

/**
 * This site's entries of `cairn_device_access` (on its own domain): what each application's
 * modules need its server to offer devices, key `<site>.<app>`. The process running the site's
 * server watches them; an app's entry stays while the app runs here (across revisions and node
 * restarts, so devices stay served) and goes with the app.
 */
export class DeviceAccessEntries {
  private constructor(
    private readonly kv: KV,
    private readonly site: string,
    private readonly log: Logger,
  ) {}

  static async open(js: JetStreamClient, site: string, log: Logger): Promise<DeviceAccessEntries> {
    return new DeviceAccessEntries(await new Kvm(js).create(Buckets.deviceAccess, { history: 1 }), site, log);
  }

  /** Publishes `access` for `app` (none: removes its entry); refuses, with a code, one that conflicts with another app's. */
  async apply(app: string, access: readonly DeviceAccess[]): Promise<void> {
    if (access.length === 0) return this.remove(app);
    const problems = deviceAccessConflicts(app, access, await this.all());
    if (problems.length > 0) {
      throw new CairnError(DeployCodes.DEVICE_ACCESS_CONFLICT, `application "${app}" cannot configure site "${this.site}"'s server for devices: ${problems.join('; ')}`, { details: { app, site: this.site, problems } });
    }
    const value = JSON.stringify(access[0]);
    const current = await this.kv.get(this.key(app));
    if (current?.operation === 'PUT' && current.string() === value) return;
    await this.kv.put(this.key(app), value);
  }

  async remove(app: string): Promise<void> {
    const current = await this.kv.get(this.key(app));
    if (current && current.operation === 'PUT') await this.kv.delete(this.key(app));
  }

  /** Removes the entries of apps `wanted` says no to (gone while no controller ran here). */
  async sweep(wanted: (app: string) => Promise<boolean>): Promise<string[]> {
    const swept: string[] = [];
    for (const app of (await this.all()).keys()) {
      if (await wanted(app)) continue;
      await this.remove(app);
      swept.push(app);
    }
    return swept;
  }

  /** Every app's entry on this site, by app. */
  private async all(): Promise<Map<string, DeviceAccess>> {
    const out = new Map<string, DeviceAccess>();
    const prefix = `${this.site}.`;
    for await (const key of await this.kv.keys(`${prefix}>`)) {
      const entry = await this.kv.get(key);
      if (entry?.operation !== 'PUT') continue;
      try {
        out.set(key.slice(prefix.length), entry.json<DeviceAccess>());
      } catch (err) {
        this.log.warn({ err, key }, 'device access: unreadable entry skipped');
      }
    }
    return out;
  }

  private key(app: string): string {
    return `${this.site}.${app}`;
  }
}
