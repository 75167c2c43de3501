import { CairnError } from './errors/cairn-error.ts';
import { KernelCodes } from './errors/kernel-codes.ts';

/**
 * Actor ids, site names and node ids become NATS subject tokens, stream-name parts and KV keys, so
 * they share one conservative alphabet that is valid in all three.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export type NameKind = 'actor id' | 'site name' | 'node id' | 'application name' | 'incarnation id' | 'client name';

/** Throws CAIRN_INVALID_ACTOR_ID naming the bad value when `value` is not a valid name. */
export function assertName(value: unknown, kind: NameKind): asserts value is string {
  if (typeof value === 'string' && NAME_PATTERN.test(value)) return;
  throw new CairnError(
    KernelCodes.INVALID_ACTOR_ID,
    `${kind} ${JSON.stringify(value)} is not valid: use 1-128 characters from [A-Za-z0-9_-], starting with a letter or digit`,
    { details: { kind, value } },
  );
}

export function isName(value: unknown): value is string {
  return typeof value === 'string' && NAME_PATTERN.test(value);
}
