// @vitest-environment node
// The channel log's order rules (src/channels/channelLog.ts), without MLS or storage: entries are
// plain seqs, and "applying" one moves the cursor, as the engine's applyEntry does.
import { describe, expect, it } from 'vitest';
import {
  ackDue,
  aheadOfServer,
  applyInOrder,
  type BatchEnd,
  lastSeq,
  pageStart,
  serial,
  stepFor,
  unreadCount,
  upTo,
  welcomeIsBehind,
} from '../src/channels/channelLog';

/** A channel log at `cursor` that records what it applied. */
function logAt(cursor: number) {
  const log = {
    cursor,
    applied: [] as number[],
    removed: false,
    /** Frames and sync answers arrive as batches; each is applied as the engine does. */
    receive(seqs: number[]): Promise<BatchEnd> {
      return applyInOrder(
        log,
        seqs.map((seq) => ({ seq })),
        () => !log.removed,
        async (entry) => {
          log.applied.push(entry.seq);
          log.cursor = entry.seq;
        },
      );
    },
  };
  return log;
}

describe('one entry against the cursor', () => {
  it.each([
    { cursor: 0, seq: 1, step: 'next' },
    { cursor: 7, seq: 8, step: 'next' },
    { cursor: 7, seq: 7, step: 'repeat' },
    { cursor: 7, seq: 3, step: 'repeat' },
    { cursor: 7, seq: 9, step: 'gap' },
    { cursor: 0, seq: 5, step: 'gap' },
  ])('cursor $cursor, seq $seq: $step', ({ cursor, seq, step }) => {
    expect(stepFor(cursor, seq)).toBe(step);
  });
});

describe('a batch of entries', () => {
  it.each([
    { name: 'in order', cursor: 4, seqs: [5, 6, 7], applied: [5, 6, 7], cursorAfter: 7, end: { kind: 'done' } },
    { name: 'empty', cursor: 4, seqs: [], applied: [], cursorAfter: 4, end: { kind: 'done' } },
    { name: 'all repeats', cursor: 4, seqs: [2, 3, 4], applied: [], cursorAfter: 4, end: { kind: 'done' } },
    { name: 'repeats then new', cursor: 4, seqs: [3, 4, 5, 6], applied: [5, 6], cursorAfter: 6, end: { kind: 'done' } },
    { name: 'a duplicate inside', cursor: 4, seqs: [5, 5, 6], applied: [5, 6], cursorAfter: 6, end: { kind: 'done' } },
    { name: 'a gap at once', cursor: 4, seqs: [6, 7], applied: [], cursorAfter: 4, end: { kind: 'gap', after: 4 } },
    { name: 'a gap after some', cursor: 4, seqs: [5, 6, 8, 9], applied: [5, 6], cursorAfter: 6, end: { kind: 'gap', after: 6 } },
    { name: 'out of order', cursor: 4, seqs: [5, 7, 6], applied: [5], cursorAfter: 5, end: { kind: 'gap', after: 5 } },
  ])('$name', async ({ cursor, seqs, applied, cursorAfter, end }) => {
    const log = logAt(cursor);
    expect(await log.receive(seqs)).toEqual(end);
    expect(log.applied).toEqual(applied);
    expect(log.cursor).toBe(cursorAfter);
  });

  it('stops, without applying, once the channel can no longer apply (removed)', async () => {
    const log = logAt(4);
    const end = await applyInOrder(
      log,
      [{ seq: 5 }, { seq: 6 }, { seq: 7 }],
      () => !log.removed,
      async (entry) => {
        log.applied.push(entry.seq);
        log.cursor = entry.seq;
        if (entry.seq === 6) log.removed = true; // the commit at 6 removes this device
      },
    );
    expect(end).toEqual({ kind: 'halted' });
    expect(log.applied).toEqual([5, 6]);
    expect(log.cursor).toBe(6);
  });

  it('applies nothing when it cannot apply from the start (not joined)', async () => {
    const log = logAt(4);
    log.removed = true;
    expect(await log.receive([5])).toEqual({ kind: 'halted' });
    expect(log.applied).toEqual([]);
  });

  it('lets a failing entry stop the batch with the cursor before it', async () => {
    const log = logAt(4);
    const run = applyInOrder(log, [{ seq: 5 }, { seq: 6 }, { seq: 7 }], () => true, async (entry) => {
      if (entry.seq === 6) throw new Error('malformed commit');
      log.applied.push(entry.seq);
      log.cursor = entry.seq;
    });
    await expect(run).rejects.toThrow('malformed commit');
    expect(log.applied).toEqual([5]);
    expect(log.cursor).toBe(5);
  });
});

describe('frames arriving out of order, then the sync', () => {
  it('applies each entry once, in seq order', async () => {
    const log = logAt(10);
    // 12 overtakes 11: a gap, so the engine asks to sync after 10.
    expect(await log.receive([12])).toEqual({ kind: 'gap', after: 10 });
    expect(await log.receive([11])).toEqual({ kind: 'done' });
    // The sync answers from 11 again; 11 is a repeat by now.
    expect(await log.receive([11, 12, 13])).toEqual({ kind: 'done' });
    // A late copy of a frame already applied changes nothing.
    expect(await log.receive([12])).toEqual({ kind: 'done' });
    expect(log.applied).toEqual([11, 12, 13]);
    expect(log.cursor).toBe(13);
  });

  it('follows on from a Welcome: the cursor is reset to its seq', async () => {
    const log = logAt(3);
    log.cursor = 40; // joined from a Welcome at seq 40
    expect(await log.receive([39, 40, 41, 42])).toEqual({ kind: 'done' });
    expect(log.applied).toEqual([41, 42]);
  });
});

describe('catching up over HTTP', () => {
  it('applies a page only up to the target seq', () => {
    const page = [{ seq: 5 }, { seq: 6 }, { seq: 7 }, { seq: 8 }];
    expect(upTo(page, 6).map((e) => e.seq)).toEqual([5, 6]);
    expect(upTo(page, 8).map((e) => e.seq)).toEqual([5, 6, 7, 8]);
    expect(upTo(page, 4)).toEqual([]);
  });
});

describe('a catch-up page that starts after the cursor (retention)', () => {
  // The server kept entries from `firstSeq` on; our group state is at `epoch` (null: no state).
  it.each([
    { name: 'the next entry', cursor: 10, firstSeq: 1, first: { seq: 11, epoch: 3 }, epoch: 3, start: { kind: 'in-order' } },
    { name: 'the next entry, just kept', cursor: 10, firstSeq: 11, first: { seq: 11, epoch: 3 }, epoch: 3, start: { kind: 'in-order' } },
    { name: 'repeats first', cursor: 10, firstSeq: 1, first: { seq: 9, epoch: 3 }, epoch: 3, start: { kind: 'in-order' } },
    { name: 'messages of our epoch expired', cursor: 10, firstSeq: 20, first: { seq: 20, epoch: 3 }, epoch: 3, start: { kind: 'expired', skipTo: 19 } },
    { name: 'one message expired', cursor: 10, firstSeq: 12, first: { seq: 12, epoch: 3 }, epoch: 3, start: { kind: 'expired', skipTo: 11 } },
    { name: 'a commit expired too', cursor: 10, firstSeq: 20, first: { seq: 20, epoch: 4 }, epoch: 3, start: { kind: 'lost' } },
    { name: 'the first kept entry is of an older epoch', cursor: 10, firstSeq: 20, first: { seq: 20, epoch: 2 }, epoch: 3, start: { kind: 'lost' } },
    { name: 'no group state', cursor: 10, firstSeq: 20, first: { seq: 20, epoch: 3 }, epoch: null, start: { kind: 'lost' } },
    // Not retention's: the server keeps entries it did not send, so nothing may be skipped.
    { name: 'entries kept but missing', cursor: 10, firstSeq: 1, first: { seq: 20, epoch: 3 }, epoch: 3, start: { kind: 'gap' } },
    { name: 'more missing than expired', cursor: 10, firstSeq: 15, first: { seq: 20, epoch: 3 }, epoch: 3, start: { kind: 'gap' } },
  ])('$name', ({ cursor, firstSeq, first, epoch, start }) => {
    expect(pageStart(cursor, firstSeq, first, epoch)).toEqual(start);
  });

  it('skips the expired entries, then applies the page from the first kept one', async () => {
    const log = logAt(10);
    const start = pageStart(log.cursor, 20, { seq: 20, epoch: 3 }, 3);
    if (start.kind === 'expired') log.cursor = start.skipTo;
    expect(await log.receive([20, 21])).toEqual({ kind: 'done' });
    expect(log.applied).toEqual([20, 21]);
  });
});

describe('cursor rules around the log', () => {
  it.each([
    { cursor: 10, lastAck: 8, ahead: true },
    { cursor: 10, lastAck: 10, ahead: false },
    { cursor: 10, lastAck: 12, ahead: false },
  ])('after a reconnect, cursor $cursor and the server at $lastAck: ask from ours = $ahead', ({ cursor, lastAck, ahead }) => {
    expect(aheadOfServer(cursor, lastAck)).toBe(ahead);
  });

  it.each([
    { joined: true, cursor: 20, welcome: 15, behind: true },
    { joined: true, cursor: 20, welcome: 20, behind: true },
    { joined: true, cursor: 20, welcome: 21, behind: false },
    // Removed, then added again: the new Welcome is followed even if its seq looks old.
    { joined: false, cursor: 20, welcome: 15, behind: false },
  ])('a Welcome at $welcome, joined $joined at $cursor: already followed = $behind', ({ joined, cursor, welcome, behind }) => {
    expect(welcomeIsBehind(joined, cursor, welcome)).toBe(behind);
  });

  it.each([
    { cursor: 5, acked: 4, due: true },
    { cursor: 5, acked: 5, due: false },
    { cursor: 0, acked: 0, due: false },
  ])('an ack at $cursor after $acked is due: $due', ({ cursor, acked, due }) => {
    expect(ackDue(cursor, acked)).toBe(due);
  });

  it('counts as unread only other devices’ messages after the read marker', () => {
    const messages = [
      { seq: 1, senderDeviceId: 'theirs' },
      { seq: 2, senderDeviceId: 'mine' },
      { seq: 3, senderDeviceId: 'theirs' },
      { seq: 4, senderDeviceId: 'mine' },
      { seq: 5, senderDeviceId: 'theirs' },
      { senderDeviceId: 'mine' }, // queued, no seq yet
    ];
    expect(unreadCount(messages, 0, 'mine')).toBe(3);
    expect(unreadCount(messages, 3, 'mine')).toBe(1);
    expect(unreadCount(messages, 5, 'mine')).toBe(0);
    // Messages brought back from the history backup are history, not news.
    expect(unreadCount([...messages, { seq: 6, senderDeviceId: 'theirs', restored: true }], 5, 'mine')).toBe(0);
  });

  it('marks read up to the highest seq shown, ignoring messages still without one', () => {
    expect(lastSeq([])).toBe(0);
    expect(lastSeq([{}])).toBe(0);
    expect(lastSeq([{ seq: 3 }, { seq: 9 }, {}, { seq: 4 }])).toBe(9);
  });
});

describe('the channel queue', () => {
  const tick = () => new Promise((r) => setTimeout(r, 1));

  it('runs one task at a time, in the order they were queued', async () => {
    const channel = { queue: Promise.resolve() as Promise<unknown> };
    const seen: string[] = [];
    const task = (name: string, pauses: number) => async () => {
      seen.push(`${name} start`);
      for (let i = 0; i < pauses; i++) await tick();
      seen.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([serial(channel, task('a', 3)), serial(channel, task('b', 0)), serial(channel, task('c', 1))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('runs the next task after one that failed, and hands the failure to its caller only', async () => {
    const channel = { queue: Promise.resolve() as Promise<unknown> };
    const failed = serial(channel, async () => {
      throw new Error('wrong-epoch');
    });
    const next = serial(channel, async () => 'ran');
    await expect(failed).rejects.toThrow('wrong-epoch');
    await expect(next).resolves.toBe('ran');
  });
});
