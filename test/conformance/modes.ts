// The runtime modes the conformance suite runs its behaviour tests in. To add a mode, append a
// ConformanceMode: how to spawn the behaviour, which launchers the node needs, what it supports.
import { fileURLToPath } from 'node:url';
import type { ActorDefinition, ActorNode, RuntimeSpec } from '../../kernel/index.ts';
import { jsProcessSpec, processLauncher, workerLauncher } from '../../kernel/runtimes/index.ts';
import { containerLauncher, hostRuntimeContainerSpec, jsContainerSpec } from '../../kernel/runtimes/container-launcher.ts';
import { testDocker } from '../helpers/docker.ts';
import { ConfCounter, RemoteConfCounter } from './behaviours.ts';
import type { ConfMsg, ConfState } from './behaviours.ts';

/** Behaviours a mode may lack; tests needing one are not generated for modes without it (all four modes have all). */
export type ConformanceFeature = 'ask-from-guest' | 'send-from-guest' | 'persist' | 'crash';

export interface ConformanceMode {
  readonly name: string;
  /** What to spawn: the JavaScript behaviour, or a defineRemoteActor for a guest in another language. */
  readonly definition: ActorDefinition<ConfMsg, ConfState>;
  readonly runtime: RuntimeSpec;
  /** Registers the launchers this mode needs on a fresh node; `tmpDir` is a per-suite temp dir. */
  register(node: ActorNode, env: { readonly tmpDir: string }): void | Promise<void>;
  /** How a `crash` message kills this mode's incarnation: the guest exits, or (inline) the handler throws. */
  readonly crash: 'exit' | 'throw';
  /** `ps` shows the guest like this (undefined for inline actors). */
  readonly guest: RegExp | undefined;
  readonly features: ReadonlySet<ConformanceFeature>;
  /** Makes the mode's engine ready (e.g. the Docker base image); throws, failing the suite, when it cannot. */
  prepare?(): Promise<void>;
}

export const BEHAVIOURS_MODULE = fileURLToPath(new URL('./behaviours.ts', import.meta.url));
export const PYTHON_COUNTER = fileURLToPath(new URL('../../examples/python-actor/counter.py', import.meta.url));

const ALL: ReadonlySet<ConformanceFeature> = new Set(['ask-from-guest', 'send-from-guest', 'persist', 'crash']);

export const CONFORMANCE_MODES: ConformanceMode[] = [
  {
    name: 'inline',
    definition: ConfCounter,
    runtime: { mode: 'inline' },
    register: () => undefined,
    crash: 'throw',
    guest: undefined,
    features: ALL,
  },
  {
    name: 'worker',
    definition: ConfCounter,
    runtime: { mode: 'worker', module: BEHAVIOURS_MODULE, export: 'ConfCounter' },
    register: (node) => node.registerRuntime('worker', workerLauncher({ log: node.log })),
    crash: 'exit',
    guest: /^worker \d+$/,
    features: ALL,
  },
  {
    name: 'process',
    definition: ConfCounter,
    runtime: jsProcessSpec(BEHAVIOURS_MODULE, 'ConfCounter'),
    register: (node, { tmpDir }) => node.registerRuntime('process', processLauncher({ registryDir: tmpDir, log: node.log })),
    crash: 'exit',
    guest: /^pid \d+$/,
    features: ALL,
  },
  {
    name: 'python process',
    definition: RemoteConfCounter,
    runtime: { mode: 'process', command: '/usr/bin/python3', args: [PYTHON_COUNTER] },
    register: (node, { tmpDir }) => node.registerRuntime('process', processLauncher({ registryDir: tmpDir, log: node.log })),
    crash: 'exit',
    guest: /^pid \d+$/,
    features: ALL,
  },
  {
    name: 'container',
    definition: ConfCounter,
    runtime: jsContainerSpec(BEHAVIOURS_MODULE, 'ConfCounter'),
    prepare: async () => void (await testDocker()),
    register: async (node) => node.registerRuntime('container', containerLauncher({ docker: await testDocker(), log: node.log })),
    crash: 'exit',
    guest: /^container [0-9a-f]{12}$/,
    features: ALL,
  },
  {
    // The any-language requirement in a container: the Python guest in the base image, with the
    // host's python3 and python3-msgpack mounted read-only (as jsContainerSpec mounts node).
    name: 'python container',
    definition: RemoteConfCounter,
    runtime: hostRuntimeContainerSpec(['/usr/bin/python3', PYTHON_COUNTER]),
    prepare: async () => void (await testDocker()),
    register: async (node) => node.registerRuntime('container', containerLauncher({ docker: await testDocker(), log: node.log })),
    crash: 'exit',
    guest: /^container [0-9a-f]{12}$/,
    features: ALL,
  },
];
