import type { ActorRef } from './actor-ref.ts';
import type { ActorDefinition } from './actor-definition.ts';
import type { SpawnOptions } from './actor-context.ts';
import type { Message } from './message.ts';

/** OTP restart types: permanent always restarts, transient only after a crash, temporary never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** How actor code spawns and stops other actors; implemented by the supervision layer. */
export interface Spawner {
  spawn<M extends Message, S>(def: ActorDefinition<M, S>, opts: SpawnOptions): Promise<ActorRef<M>>;
  stop(id: string): Promise<void>;
}
