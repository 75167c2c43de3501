import { CairnError, DeployCodes, Streams } from '../protocols/index.ts';

/** JetStream's "stream not found": no node of the site has ever started, so there is no dead-letter stream. */
const STREAM_NOT_FOUND = 10059;
const NO_MESSAGE_FOUND = 10037;

function apiCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; api_error?: { err_code?: unknown } };
  const code = e?.api_error?.err_code ?? e?.code;
  return typeof code === 'number' ? code : undefined;
}

/** JetStream's "no message found": the sequence is not (or no longer) in the stream. */
export function isNoMessage(err: unknown): boolean {
  return apiCode(err) === NO_MESSAGE_FOUND || /no message found/i.test((err as Error)?.message ?? '');
}

/** Runs a dead-letter operation; a site without a dead-letter stream becomes CAIRN_CLI_NO_NODES, saying why. */
export async function deadLetterCall<T>(site: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (apiCode(err) === STREAM_NOT_FOUND || /stream not found/i.test((err as Error)?.message ?? '')) {
      throw new CairnError(DeployCodes.CLI_NO_NODES, `site "${site}" has no dead-letter stream ${Streams.deadLetters(site)}: no node of it has started on this server; start one with \`cairn up\`, or pass the right server URL and site (--server / --site)`, { cause: err, details: { site } });
    }
    throw err;
  }
}
