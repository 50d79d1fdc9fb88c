/**
 * Sending text: a message is stored first (so a reload still shows it), then encrypted inside
 * the channel's queue and sent over the realtime connection. Offline, it waits as `queued` and
 * goes out with the same clientMessageId once connected (the server drops a duplicate).
 */
import { createApplicationMessage, encodeMlsMessage } from 'ts-mls';
import { base64url, ciphersuite } from '../device/identity';
import { serial } from './channelLog';
import { type Channel, ChannelError, type ChatMessage, type EngineContext, epochOf, sleep } from './model';
import { encodeText } from './payload';
import { FrameError } from './realtime';

const DELIVERY_ATTEMPTS = 5;

const randomId = () => base64url(crypto.getRandomValues(new Uint8Array(12)));

/** Stores the message and starts its delivery; its state then follows. */
export async function send(context: EngineContext, c: Channel, body: string): Promise<void> {
  const { device } = context;
  const message: ChatMessage = {
    clientMessageId: randomId(),
    senderUserId: device.userId,
    senderDeviceId: device.deviceId,
    body,
    sentAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    outgoing: true,
    state: 'sending',
  };
  encodeText(body); // refuses empty or oversized text before anything is stored
  c.messages.push(message);
  await context.history.putMessage(c.id, message);
  context.changed();
  void deliver(context, c, message);
}

/** Retries a message whose send failed. */
export function retry(context: EngineContext, c: Channel, clientMessageId: string) {
  const m = c.messages.find((x) => x.clientMessageId === clientMessageId);
  if (m && m.state === 'failed') {
    m.state = 'sending';
    context.changed();
    void deliver(context, c, m);
  }
}

/** Sends again what was written offline or failed, once the connection is back. */
export function retryUnsent(context: EngineContext, c: Channel) {
  for (const m of c.messages) {
    if (m.outgoing && m.seq === undefined && (m.state === 'queued' || m.state === 'failed')) {
      m.state = 'sending';
      void deliver(context, c, m);
    }
  }
}

async function deliver(context: EngineContext, c: Channel, m: ChatMessage): Promise<void> {
  const { history } = context;
  for (let attempt = 0; attempt < DELIVERY_ATTEMPTS; attempt++) {
    try {
      // Encrypt and save the advanced state before anything leaves: a reused generation
      // would reuse a key and nonce.
      const frame = await serial(c, async () => {
        assertCanSend(context, c);
        const cs = await ciphersuite();
        const result = await createApplicationMessage(c.state!, encodeText(m.body, new Date(m.sentAt)), cs);
        c.state = result.newState;
        await history.saveChannel(c.id, c.record, c.state);
        return {
          type: 'send',
          channelId: c.id,
          epoch: epochOf(c.state),
          clientMessageId: m.clientMessageId!,
          ciphertext: base64url(encodeMlsMessage({ privateMessage: result.privateMessage, wireformat: 'mls_private_message', version: 'mls10' })),
        };
      });
      const ack = await context.realtime!.request(frame);
      m.seq = Number(ack.seq);
      m.state = 'sent';
      await history.putMessage(c.id, m);
      context.changed();
      return;
    } catch (e) {
      const code = e instanceof FrameError || e instanceof ChannelError ? e.code : 'error';
      if (code === 'wrong-epoch') {
        await sleep(300 * (attempt + 1)); // the commit that moved the epoch is on its way
        continue;
      }
      if (code === 'offline' || code === 'timeout') {
        // Sent again with the same clientMessageId when the connection is back (no duplicate).
        m.state = 'queued';
        context.changed();
        return;
      }
      m.state = 'failed';
      m.error = code;
      await history.putMessage(c.id, m);
      context.changed();
      return;
    }
  }
  m.state = 'failed';
  context.changed();
}

function assertCanSend(context: EngineContext, c: Channel) {
  if (!c.state) throw new ChannelError('not-joined', 'not in the channel');
  if (c.removed) throw new ChannelError('removed', 'removed from the channel');
  if (c.members.some((m) => m.problem)) throw new ChannelError('untrusted-member', 'a member does not meet the policy');
  if (!context.realtime) throw new FrameError('offline', 'not connected');
}
