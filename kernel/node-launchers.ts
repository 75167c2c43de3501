import { CairnError, KernelCodes } from '../protocols/index.ts';
import type { GuestLauncher } from './guest-channel.ts';
import type { RuntimeMode } from './runtime-spec.ts';

/**
 * The launchers a node starts guests with: one per runtime mode it offers (registered by its
 * system's runtimes), and one per other node of the site that hosts guests for it (made on first
 * use by `remote`).
 */
export class NodeLaunchers {
  private readonly local = new Map<RuntimeMode, GuestLauncher>();
  private readonly remote = new Map<string, GuestLauncher>();

  constructor(
    private readonly node: string,
    private readonly remoteLauncher: (host: string) => GuestLauncher,
  ) {}

  register(mode: Exclude<RuntimeMode, 'inline'>, launcher: GuestLauncher): void {
    this.local.set(mode, launcher);
  }

  offers(mode: RuntimeMode): boolean {
    return mode === 'inline' || this.local.has(mode);
  }

  /** The local launcher of a mode (undefined for inline or a mode not offered). */
  localFor(mode: RuntimeMode): GuestLauncher | undefined {
    return mode === 'inline' ? undefined : this.local.get(mode);
  }

  /** Where a guest of `mode` starts: on this node, or on `host` (another node of the site). */
  launcherFor(mode: RuntimeMode, host?: string): GuestLauncher {
    if (host !== undefined) {
      let launcher = this.remote.get(host);
      if (!launcher) this.remote.set(host, (launcher = this.remoteLauncher(host)));
      return launcher;
    }
    const launcher = this.localFor(mode);
    if (!launcher) throw new CairnError(KernelCodes.RUNTIME_UNAVAILABLE, `no launcher for runtime mode "${mode}" on node ${this.node}`);
    return launcher;
  }

  /** Fails with what the node offers and how to add the missing mode, unless it offers `mode`. */
  assertOffers(mode: RuntimeMode, actor: string): void {
    if (this.offers(mode)) return;
    throw new CairnError(
      KernelCodes.RUNTIME_UNAVAILABLE,
      `actor "${actor}" wants runtime mode "${mode}" but node ${this.node} does not offer it (it offers inline${[...this.local.keys()].map((m) => `, ${m}`).join('')}); give the system a runtime for it, e.g. createActorSystem({ runtimes: [...defaultRuntimes(), ${mode}Runtime()] })`,
      { details: { id: actor, mode } },
    );
  }
}
