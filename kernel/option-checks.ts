import { CairnError, KernelCodes } from '../protocols/index.ts';

/**
 * Checks numeric options before anything starts: each given one must be a number above zero
 * (finite unless `Infinity` is allowed). CAIRN_INVALID_OPTION names every bad one with its value.
 */
export function assertPositiveOptions(where: string, options: Readonly<Record<string, unknown>>, allowInfinity: readonly string[] = []): void {
  const bad = Object.entries(options).filter(([name, v]) => v !== undefined && !(typeof v === 'number' && v > 0 && (Number.isFinite(v) || (v === Infinity && allowInfinity.includes(name)))));
  if (bad.length === 0) return;
  const list = bad.map(([name, v]) => `${name} ${JSON.stringify(v) ?? String(v)}`).join(', ');
  throw new CairnError(KernelCodes.INVALID_OPTION, `${where}: ${list} ${bad.length === 1 ? 'is' : 'are'} not valid: give a number above 0`, { details: Object.fromEntries(bad) });
}
