import { KernelCodes } from '../../protocols/index.ts';
import type { GuestExit } from '../guest-channel.ts';

/** The part of `docker inspect`'s State that says how a container ended. */
export interface ContainerEndState {
  readonly ExitCode: number;
  readonly OOMKilled: boolean;
  readonly Error?: string;
}

const SIGNALS: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 6: 'SIGABRT', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

/**
 * How a container's end is reported to its supervisor: killed by the memory cgroup is
 * CAIRN_GUEST_OOM (so an operator raises `limits.memoryMb` rather than hunts a bug), anything else
 * CAIRN_GUEST_EXITED with the exit code (and the signal, for codes above 128).
 */
export function exitFromState(state: ContainerEndState, memoryMb?: number): GuestExit {
  if (state.OOMKilled) {
    return { code: KernelCodes.GUEST_OOM, reason: `OOMKilled (memory limit ${memoryMb === undefined ? 'of the host' : `${memoryMb} MB`})` };
  }
  const signal = state.ExitCode > 128 ? SIGNALS[state.ExitCode - 128] : undefined;
  const detail = [signal ? `killed by ${signal}` : undefined, state.Error || undefined].filter(Boolean).join('; ');
  return { code: KernelCodes.GUEST_EXITED, reason: `exited with code ${state.ExitCode}${detail ? ` (${detail})` : ''}` };
}
