import { describe, expectTypeOf, it } from 'vitest';
import type { ActorRef, Asks, ReplyFor } from '../../kernel/index.ts';

type Msg = { type: 'inc'; by: number } | ({ type: 'get' } & Asks<number>) | ({ type: 'name' } & Asks<string>);

describe('typed ask', () => {
  it('typed ask - the reply type follows the message tag', () => {
    expectTypeOf<ReplyFor<Msg, 'get'>>().toEqualTypeOf<number>();
    expectTypeOf<ReplyFor<Msg, 'name'>>().toEqualTypeOf<string>();
    expectTypeOf<ReplyFor<Msg, 'inc'>>().toEqualTypeOf<unknown>();
  });

  it('typed ask - ref.ask infers the reply from a literal message', () => {
    const ask = (ref: ActorRef<Msg>) => ref.ask({ type: 'get' });
    expectTypeOf<Awaited<ReturnType<typeof ask>>>().toEqualTypeOf<number>();
    // @ts-expect-error: a message outside the union does not type-check
    const bad = (ref: ActorRef<Msg>) => ref.tell({ type: 'nope' });
    void bad;
  });
});
