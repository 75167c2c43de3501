import { CairnError, DeployCodes } from '../../protocols/index.ts';

/** A commander option parser for an integer >= min; the error names the option and the value. */
export function integerOption(option: string, min: number, example: number = Math.max(min, 1)): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
      throw new CairnError(DeployCodes.CLI_USAGE, `${option} ${JSON.stringify(value)} is not an integer >= ${min}; pass a whole number, e.g. ${option} ${example}`, { details: { option, value } });
    }
    return n;
  };
}

/** A commander option parser for a port (1-65535). */
export function portOption(option: string): (value: string) => number {
  const int = integerOption(option, 1);
  return (value) => {
    const n = int(value);
    if (n > 65535) throw new CairnError(DeployCodes.CLI_USAGE, `${option} ${value} is not a port; use 1-65535 (or leave it out to pick a free port)`, { details: { option, value } });
    return n;
  };
}

/** A repeatable commander option parser for `key=value` labels; collects into one record. */
export function labelOption(option: string): (value: string, previous: Record<string, string> | undefined) => Record<string, string> {
  return (value, previous) => {
    const eq = value.indexOf('=');
    const key = eq < 0 ? '' : value.slice(0, eq).trim();
    if (eq < 0 || key === '') throw new CairnError(DeployCodes.CLI_USAGE, `${option} ${JSON.stringify(value)} is not key=value; pass e.g. ${option} gpu=true`, { details: { option, value } });
    return { ...previous, [key]: value.slice(eq + 1).trim() };
  };
}
