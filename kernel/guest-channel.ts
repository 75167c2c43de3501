import type { GuestFrame, NodeFrame } from '../protocols/index.ts';
import type { RuntimeSpec } from './runtime-spec.ts';

/** How a guest ended, as the supervisor is told. */
export interface GuestExit {
  /** Human-readable: "exited with code 1", "killed by SIGKILL", "OOMKilled"... */
  readonly reason: string;
  /** Stable code for the cause, e.g. CAIRN_GUEST_EXITED, CAIRN_GUEST_OOM. */
  readonly code: string;
}

/** Resource use of a guest, for `cairn ps` / `cairn top`. */
export interface GuestUsage {
  /** CPU use in percent of one core since the last sample. */
  readonly cpuPercent: number;
  readonly memoryBytes: number;
}

/** A running guest: a worker, process or container speaking the host protocol. */
export interface GuestChannel {
  send(frame: NodeFrame): void;
  onFrame(listener: (frame: GuestFrame) => void): void;
  /** Settles once, when the guest is gone for whatever reason. */
  readonly exited: Promise<GuestExit>;
  /** Ends the guest at once (SIGKILL, terminate(), docker kill) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Where to find it (pid, container id), for `cairn ps` and orphan cleanup. */
  readonly describe: string;
  usage?(): Promise<GuestUsage | undefined>;
  /** Recent output of the guest (stderr / container logs), newest last. */
  logs?(): Promise<string[]>;
  /** Calls `listener` with each line of output the guest writes from now on (`cairn logs -f`). */
  onOutput?(listener: (line: string) => void): void;
}

export interface GuestInfo {
  readonly site: string;
  readonly node: string;
  readonly actor: string;
}

/** Starts guests of one runtime mode. Registered on the node per mode. */
export type GuestLauncher = (spec: RuntimeSpec, info: GuestInfo, signal: AbortSignal) => Promise<GuestChannel>;
