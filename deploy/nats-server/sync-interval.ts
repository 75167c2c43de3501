import type { SyncInterval } from './nats-server-config.ts';

/** Whether `value` is a JetStream sync_interval nats-server takes: "always", or a positive duration such as "1s". */
export function isSyncInterval(value: unknown): value is SyncInterval {
  return value === 'always' || (typeof value === 'string' && /^[1-9]\d*(ms|s|m|h)$/.test(value));
}
