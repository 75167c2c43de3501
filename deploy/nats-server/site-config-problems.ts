import { isAbsolute } from 'node:path';
import { CairnError } from '../../protocols/index.ts';
import { DeployCodes } from '../../protocols/index.ts';
import { isSyncInterval } from './sync-interval.ts';

/**
 * Collects every problem in a site description before reporting, so one run of `cairn site init`
 * shows them all. Each check names the field and the bad value.
 */
export class SiteConfigProblems {
  readonly problems: string[] = [];

  constructor(private readonly what: string) {}

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Site names and domains become server names, JetStream domains and subject tokens. */
  name(field: string, value: unknown): void {
    if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(value)) {
      this.add(`${field} is ${JSON.stringify(value)}: use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit`);
    }
  }

  port(field: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      this.add(`${field} is ${JSON.stringify(value)}: use an integer port in 1-65535`);
    }
  }

  host(field: string, value: unknown): void {
    if (typeof value !== 'string' || value === '' || /[\s/]/.test(value)) {
      this.add(`${field} is ${JSON.stringify(value)}: use a host name or IP address such as "127.0.0.1" or "0.0.0.0"`);
    }
  }

  /** "host:port" as nats-server's `advertise` takes it. */
  hostPort(field: string, value: unknown): void {
    const m = typeof value === 'string' ? /^(.+):(\d+)$/.exec(value) : null;
    if (m === null || /[\s/]/.test(m[1]!) || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      this.add(`${field} is ${JSON.stringify(value)}: use "host:port", e.g. "hub.example.com:7422"`);
    }
  }

  storeDir(field: string, value: unknown): void {
    if (typeof value !== 'string' || !isAbsolute(value)) {
      // nats-server resolves a relative store_dir against its working directory, not the config file.
      this.add(`${field} is ${JSON.stringify(value)}: use an absolute directory path`);
    }
  }

  duration(field: string, value: unknown): void {
    if (typeof value !== 'string' || !/^[1-9]\d*(ms|s|m|h)$/.test(value)) {
      this.add(`${field} is ${JSON.stringify(value)}: use a positive duration such as "2s", "500ms" or "1m"`);
    }
  }

  syncInterval(field: string, value: unknown): void {
    if (!isSyncInterval(value)) {
      this.add(`${field} is ${JSON.stringify(value)}: use "always" (fsync before each acknowledged write) or a duration between fsyncs such as "1s" or "2m"`);
    }
  }

  positiveInteger(field: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      this.add(`${field} is ${JSON.stringify(value)}: use an integer of at least 1`);
    }
  }

  bytes(field: string, value: unknown): void {
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)) {
      this.add(`${field} is ${JSON.stringify(value)}: use a whole number of bytes (e.g. 1073741824 for 1 GiB)`);
    }
  }

  nonEmpty(field: string, value: unknown): void {
    if (typeof value !== 'string' || value === '') this.add(`${field} is ${JSON.stringify(value)}: use a non-empty string`);
  }

  /** A hub URL a leaf dials. */
  leafUrl(field: string, value: unknown): void {
    let url: URL | undefined;
    try {
      url = typeof value === 'string' ? new URL(value) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || !['nats-leaf:', 'nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol) || url.hostname === '' || url.pathname.length > 1) {
      this.add(`${field} is ${JSON.stringify(value)}: use "nats-leaf://host:port" (the hub's leafnode listener)`);
    } else if (url.username !== '' || url.password !== '') {
      this.add(`${field} is ${JSON.stringify((value as string).replace(/\/\/[^@]*@/, '//***@'))}: pass the user and password as separate fields, not in the URL`);
    }
  }

  /** Ports one server listens on must differ. */
  distinctPorts(ports: readonly (readonly [field: string, port: number | undefined])[]): void {
    const seen = new Map<number, string>();
    for (const [field, port] of ports) {
      if (port === undefined) continue;
      const other = seen.get(port);
      if (other !== undefined) this.add(`${field} is ${port}, the same as ${other}: give each listener its own port`);
      else seen.set(port, field);
    }
  }

  /** Throws one CAIRN_INVALID_SITE_CONFIG listing every problem, if there are any. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    throw new CairnError(
      DeployCodes.INVALID_SITE_CONFIG,
      `Invalid ${this.what} (${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}):\n` +
        this.problems.map((p) => `[error] ${p}`).join('\n'),
      { details: { problems: [...this.problems] } },
    );
  }
}
