/** Every actor message is a tagged object; `type` is also the envelope type on the wire. */
export interface Message {
  readonly type: string;
}

declare const replyMarker: unique symbol;

/**
 * Marks a message type as one that is asked and answered with `R`:
 * `type Get = { type: 'get' } & Asks<number>`. Only the type system sees it; nothing is sent.
 */
export interface Asks<R> {
  readonly [replyMarker]?: R;
}

/** The reply type of an asked message, or `unknown` when the message does not declare one. */
export type ReplyOf<M> = M extends Asks<infer R> ? (unknown extends R ? unknown : R) : unknown;

/** The reply type of the member of union `M` whose tag is `K`. */
export type ReplyFor<M extends Message, K extends string> = ReplyOf<Extract<M, { readonly type: K }>>;
