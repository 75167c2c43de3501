import { Streams } from '../protocols/index.ts';

/*
 * A peer's outbox can be made again from scratch (an operator removed it, the peer's store was
 * wiped): its sequences start at 1 again. The mailbox that sources it must then start the new
 * outbox from its beginning, not after the position it reached in the old one, and a persisted
 * actor must not take the new messages for ones it applied (their origin sequences are lower).
 * So the mailbox stream's metadata remembers, per peer, the outbox it sources (its creation time)
 * and the mailbox sequences after which a new outbox took over (the marks): origin positions are
 * kept per epoch, and a message's epoch is the highest mark below its mailbox sequence.
 */

/** Metadata key of the creation time of the peer's outbox this mailbox sources. */
export const outboxCreatedKey = (peer: string): string => `cairn.source.${peer}.outbox-created`;
/** Metadata key of the marks: mailbox sequences, comma-separated, after which a new outbox of the peer began. */
export const outboxMarksKey = (peer: string): string => `cairn.source.${peer}.new-outbox-after`;

/** At most this many marks are kept per peer (a positioned message older than all of them is long handled). */
export const MAX_MARKS = 16;

/** What the metadata says of one peer's outbox. */
export interface OutboxEpoch {
  readonly created?: string;
  readonly marks: readonly number[];
}

export function readOutboxEpoch(metadata: Readonly<Record<string, string>> | undefined, peer: string): OutboxEpoch {
  const created = metadata?.[outboxCreatedKey(peer)];
  const marks = (metadata?.[outboxMarksKey(peer)] ?? '')
    .split(',')
    .filter((text) => text !== '')
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n >= 0)
    .sort((a, b) => a - b);
  return { ...(created ? { created } : {}), marks };
}

/** The metadata entries of one peer's outbox epoch. */
export function outboxEpochMetadata(peer: string, epoch: OutboxEpoch): Record<string, string> {
  return {
    ...(epoch.created ? { [outboxCreatedKey(peer)]: epoch.created } : {}),
    ...(epoch.marks.length > 0 ? { [outboxMarksKey(peer)]: epoch.marks.slice(-MAX_MARKS).join(',') } : {}),
  };
}

/** Where a source consumer created now starts in the peer's outbox. */
export type SourceStart =
  /** At the outbox's first message; `newOutbox`: it is not the outbox this mailbox sourced before. */
  | { readonly from: 'first'; readonly newOutbox: boolean }
  /** After what this mailbox already copied from this very outbox. */
  | { readonly from: 'after'; readonly seq: number };

/**
 * Decides where a new source consumer starts. `sourcedUpTo`: the last outbox sequence the mailbox
 * copied (from its source report, or an older Cairn's plain source); `known`: the creation time of
 * the outbox it copied from, when recorded; `outbox`: the outbox as it is now (`createdNow` when
 * this attempt made it). Without a recorded creation time, an outbox whose last sequence is below
 * the position cannot be the one it was reached in.
 */
export function sourceStart(o: { readonly sourcedUpTo?: number | undefined; readonly known?: string | undefined; readonly outbox: { readonly created: string; readonly lastSeq: number; readonly createdNow: boolean } }): SourceStart {
  const { sourcedUpTo, known, outbox } = o;
  const hasPosition = sourcedUpTo !== undefined && sourcedUpTo > 0;
  const newOutbox = outbox.createdNow ? hasPosition || known !== undefined : known !== undefined ? known !== outbox.created : hasPosition && outbox.lastSeq < sourcedUpTo;
  if (newOutbox || !hasPosition) return { from: 'first', newOutbox };
  return { from: 'after', seq: sourcedUpTo };
}

/**
 * The marks of every peer's outbox, by outbox stream name: what the dispatcher needs to tell a
 * delivery's epoch. One per node, loaded from the mailbox stream's metadata when it leads.
 */
export class OriginEpochs {
  private readonly marks = new Map<string, readonly number[]>();

  /** Takes the marks of `peers` from the mailbox stream's metadata. */
  load(metadata: Readonly<Record<string, string>> | undefined, peers: readonly string[]): void {
    for (const peer of peers) this.marks.set(Streams.outbox(peer), readOutboxEpoch(metadata, peer).marks);
  }

  /** Records that a new outbox of `peer` began after mailbox sequence `mark`. */
  add(peer: string, mark: number): readonly number[] {
    const next = [...(this.marks.get(Streams.outbox(peer)) ?? []), mark].sort((a, b) => a - b).slice(-MAX_MARKS);
    this.marks.set(Streams.outbox(peer), next);
    return next;
  }

  /**
   * The key origin positions are kept under for a message of outbox `stream` stored at mailbox
   * sequence `mailboxSeq`: the stream name before any mark, `<stream>@<mark>` after the highest
   * mark below it.
   */
  keyOf(stream: string, mailboxSeq: number): string {
    const marks = this.marks.get(stream);
    let epoch: number | undefined;
    for (const m of marks ?? []) if (m < mailboxSeq) epoch = m;
    return epoch === undefined ? stream : `${stream}@${epoch}`;
  }
}

/** The outbox stream an origin key belongs to (the key without its epoch). */
export function streamOfOriginKey(key: string): string {
  const at = key.indexOf('@');
  return at < 0 ? key : key.slice(0, at);
}
