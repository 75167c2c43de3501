import { CairnError } from './errors/cairn-error.ts';
import { KernelCodes } from './errors/kernel-codes.ts';
import { assertName } from './names.ts';

/** Where an actor lives: its site and its id. Wire form: `"<site>/<actor>"`. */
export interface ActorAddress {
  readonly site: string;
  readonly actor: string;
}

export function formatAddress(address: ActorAddress): string {
  return `${address.site}/${address.actor}`;
}

/** Parses `"<site>/<actor>"`; throws CAIRN_INVALID_ADDRESS naming the bad value. */
export function parseAddress(text: string): ActorAddress {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) {
    throw new CairnError(
      KernelCodes.INVALID_ADDRESS,
      `actor address ${JSON.stringify(text)} is not valid: expected "<site>/<actor>", e.g. "local/counter"`,
      { details: { value: text } },
    );
  }
  const site = text.slice(0, slash);
  const actor = text.slice(slash + 1);
  assertName(site, 'site name');
  assertName(actor, 'actor id');
  return { site, actor };
}
