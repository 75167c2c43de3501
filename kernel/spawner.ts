import type { ActorRef } from './actor-ref.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { SpawnOptions } from './actor-context.ts';
import type { Message } from './message.ts';

import type { RestartType } from '../protocols/index.ts';

export type { RestartType };

/** How actor code spawns and stops other actors; implemented by the supervision layer. */
export interface Spawner {
  spawn<M extends Message, S>(def: ActorDefinition<M, S>, opts: SpawnOptions): Promise<ActorRef<M>>;
  stop(id: string): Promise<void>;
}
