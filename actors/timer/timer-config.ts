import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { NAME_PATTERN } from '../../protocols/index.ts';

/** The `config` of a `cairn/timer` actor. */
export const TimerConfig = Type.Object(
  {
    to: Type.String({ pattern: NAME_PATTERN.source, description: 'Id of the actor, on this site, that gets the messages.' }),
    message: Type.Object(
      { type: Type.String({ minLength: 1, description: 'The message type.' }) },
      { additionalProperties: true, description: 'The message sent at each tick; `tick` (1, 2, ...) is added to it.' },
    ),
    everyMs: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 1_000, description: 'Milliseconds between two messages (100 ms to 1 day).' }),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'How many messages to send in all; absent: without end.' })),
  },
  { additionalProperties: false },
);

export type TimerConfig = Static<typeof TimerConfig>;
