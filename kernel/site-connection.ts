import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { CairnError, KernelCodes, MIN_NATS_SERVER_VERSION, tooOldMessage, versionAtLeast } from '../protocols/index.ts';

export const DEFAULT_SERVERS = 'nats://127.0.0.1:4222';

export interface SiteConnectionOptions {
  /** NATS server URL(s). @default "nats://127.0.0.1:4222" */
  readonly servers?: string | string[];
  /** An existing connection to use instead of `servers`; it is not closed by whoever opened this. */
  readonly connection?: NatsConnection;
  /** JetStream domain of the site's server, when the connection goes through another domain. */
  readonly domain?: string;
  /** The connection's name, as the server's monitoring shows it. */
  readonly name: string;
}

/** A checked connection to a site's server: a NATS connection whose server is new enough and has JetStream. */
export interface SiteConnection {
  readonly nc: NatsConnection;
  /** Whether the connection was opened here (and is to be closed by its user) or given. */
  readonly ownsConnection: boolean;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * Connects (reconnecting for ever), then checks what every Cairn process needs before it does
 * anything: a server at least MIN_NATS_SERVER_VERSION, and JetStream (in `domain` if given). Each
 * failure is a coded error that says what to do; a connection opened here is closed on failure.
 */
export async function openSiteConnection(opts: SiteConnectionOptions): Promise<SiteConnection> {
  const servers = opts.servers ?? DEFAULT_SERVERS;
  let nc = opts.connection;
  if (!nc) {
    try {
      // noAsyncTraces: the client otherwise builds two Error objects (for stack traces) per
      // JetStream publish, ~30% of its CPU per tell in the benchmarks.
      nc = await connect({ servers, name: opts.name, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true });
    } catch (cause) {
      throw new CairnError(KernelCodes.NATS_UNREACHABLE, `cannot connect to NATS at ${String(servers)}: ${(cause as Error).message}. Start a site with \`cairn up\` or pass the right server URL`, { cause });
    }
  }
  const owns = opts.connection === undefined;
  // A server too old for what Cairn uses fails here, named, rather than later in some API call.
  const version = nc.info?.version;
  if (version !== undefined && !versionAtLeast(version, MIN_NATS_SERVER_VERSION)) {
    if (owns) await nc.close().catch(() => undefined);
    throw new CairnError(KernelCodes.NATS_SERVER_TOO_OLD, tooOldMessage(version, `the server at ${String(servers)}`), { details: { version, minimum: MIN_NATS_SERVER_VERSION } });
  }
  const jsOpts = opts.domain ? { domain: opts.domain } : {};
  const jsm = await jetstreamManager(nc, jsOpts).catch(async (cause: unknown) => {
    if (owns) await nc.close().catch(() => undefined);
    throw new CairnError(KernelCodes.JETSTREAM_UNAVAILABLE, `NATS at ${String(servers)} has no JetStream${opts.domain ? ` in domain "${opts.domain}"` : ''}: enable it in the server config (jetstream { store_dir: ... }) or use \`cairn up\``, { cause });
  });
  return { nc, ownsConnection: owns, js: jetstream(nc, jsOpts), jsm };
}
