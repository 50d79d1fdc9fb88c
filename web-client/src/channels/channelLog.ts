/**
 * The order rules of a channel's log, without I/O (the Java client's `ChannelLog` keeps the same
 * ones): the cursor is the last seq applied; an entry is applied only when it is the next one,
 * a repeat is skipped, and a gap stops the batch so the caller can ask the server to `sync` from
 * the cursor. Around that: when a catch-up page may skip what retention deleted, where to resume
 * after a reconnect, which Welcome is already behind us, when an ack is worth sending, what
 * counts as unread, and the queue that runs one change of a channel at a time.
 */

/** What to do with an entry, given the cursor. */
export type EntryStep = 'repeat' | 'next' | 'gap';

export function stepFor(cursor: number, seq: number): EntryStep {
  if (seq <= cursor) return 'repeat';
  // Another node appended in between, or frames were missed.
  if (seq > cursor + 1) return 'gap';
  return 'next';
}

/**
 * How a batch ended: `done` (every entry applied or skipped), `gap` (stopped before an entry
 * that is not the next one; read again `after` the cursor), or `halted` (the channel stopped
 * being able to apply entries: removed, or its keys are gone).
 */
export type BatchEnd = { kind: 'done' } | { kind: 'gap'; after: number } | { kind: 'halted' };

/**
 * Applies a batch strictly in seq order. `apply` moves the cursor to the entry's seq (the caller
 * saves it together with the group state); `canApply` is asked before every entry, since an
 * entry may remove this device from the channel.
 */
export async function applyInOrder<E extends { seq: number }>(
  position: { readonly cursor: number },
  entries: readonly E[],
  canApply: () => boolean,
  apply: (entry: E) => Promise<void>,
): Promise<BatchEnd> {
  for (const entry of entries) {
    if (!canApply()) return { kind: 'halted' };
    const step = stepFor(position.cursor, entry.seq);
    if (step === 'repeat') continue;
    if (step === 'gap') return { kind: 'gap', after: position.cursor };
    await apply(entry);
  }
  return { kind: 'done' };
}

/**
 * How a catch-up page starts, given the cursor: `in-order` (at the next entry, or repeats first);
 * `expired` (retention deleted the entries up to `skipTo`; move the cursor there, then apply the
 * page); `lost` (commits this group state still needed expired too: it cannot follow the log any
 * more); `gap` (the server keeps entries it did not send: not retention's, nothing is skipped).
 */
export type PageStart = { kind: 'in-order' } | { kind: 'expired'; skipTo: number } | { kind: 'lost' } | { kind: 'gap' };

/**
 * The Java client's rule (`LogFollower.catchUp`: `canReadFrom`, then `skipTo`). Seqs are dense, so
 * a page may only start past the cursor where retention deleted entries: those before `firstSeq`,
 * the oldest seq the server still keeps. Skipping them is sound only when the first kept entry is
 * of the epoch our group state holds (`epoch`; null without a state): every commit before it is
 * then already applied (one of our epoch would have moved the epoch on), so what expired were
 * messages of this epoch the policy lets nobody read any more. Of another epoch, a commit expired
 * too, and the state cannot follow (Java rejoins by external commit).
 */
export function pageStart(cursor: number, firstSeq: number, first: { seq: number; epoch: number }, epoch: number | null): PageStart {
  if (stepFor(cursor, first.seq) !== 'gap') return { kind: 'in-order' };
  if (first.seq > firstSeq) return { kind: 'gap' };
  if (epoch === null || first.epoch !== epoch) return { kind: 'lost' };
  return { kind: 'expired', skipTo: first.seq - 1 };
}

/** The entries of a catch-up page up to the target seq (inclusive); later ones wait. */
export function upTo<E extends { seq: number }>(entries: readonly E[], seq: number): E[] {
  return entries.filter((e) => e.seq <= seq);
}

/**
 * After a reconnect the server resumes after its last ack; when our cursor is further (acks are
 * sent late), we ask from our own cursor instead.
 */
export function aheadOfServer(cursor: number, lastAck: number): boolean {
  return cursor > lastAck;
}

/** A Welcome at or before the cursor of a channel we hold keys for was already followed. */
export function welcomeIsBehind(joined: boolean, cursor: number, welcomeSeq: number): boolean {
  return joined && cursor >= welcomeSeq;
}

/** An ack is worth sending only when it moves the server's mark forward. */
export function ackDue(cursor: number, acked: number): boolean {
  return cursor > acked;
}

/** Other devices' messages after the read marker (ours are never unread). */
export function unreadCount(
  messages: readonly { seq?: number; senderDeviceId: string; restored?: boolean }[],
  readSeq: number,
  selfDeviceId: string,
): number {
  // What came back from the history backup is history, not news.
  return messages.filter((m) => m.seq !== undefined && m.seq > readSeq && m.senderDeviceId !== selfDeviceId && !m.restored).length;
}

/** The highest seq among the messages (0 when none has one yet): where marking read moves to. */
export function lastSeq(messages: readonly { seq?: number }[]): number {
  return messages.reduce((n, m) => Math.max(n, m.seq ?? 0), 0);
}

/**
 * Runs `task` after every task queued before it on the same channel, whether those succeeded or
 * not, so the group state and cursor are only ever changed by one task at a time.
 */
export function serial<T>(channel: { queue: Promise<unknown> }, task: () => Promise<T>): Promise<T> {
  const run = channel.queue.then(task, task);
  channel.queue = run.catch(() => {});
  return run;
}
