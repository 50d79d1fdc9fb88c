/**
 * Browser notifications for new messages while the tab is hidden: opt-in, and without message
 * content unless the member allowed it. Both choices are kept on this device only.
 */
export interface NotificationSettings {
  enabled: boolean;
  showContent: boolean;
}

const KEY = 'liaison.notifications';

export function readNotificationSettings(storage: Pick<Storage, 'getItem'> | null = safeStorage()): NotificationSettings {
  try {
    const raw = JSON.parse(storage?.getItem(KEY) ?? 'null');
    return { enabled: raw?.enabled === true, showContent: raw?.showContent === true };
  } catch {
    return { enabled: false, showContent: false };
  }
}

export function saveNotificationSettings(s: NotificationSettings, storage: Pick<Storage, 'setItem'> | null = safeStorage()) {
  storage?.setItem(KEY, JSON.stringify(s));
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export interface IncomingMessage {
  channelId: string;
  channelName: string;
  senderUserId: string;
  senderName: string;
  body: string;
}

/**
 * What to show for a message, or null for none: nothing unless notifications are on, the tab is
 * hidden and the message is someone else's. Content (sender and text) only when allowed.
 */
export function notificationFor(
  m: IncomingMessage,
  { settings, hidden, myUserId, text }: {
    settings: NotificationSettings;
    hidden: boolean;
    myUserId: string;
    text: { newMessageIn: (channel: string) => string };
  },
): { title: string; body: string; tag: string } | null {
  if (!settings.enabled || !hidden || m.senderUserId === myUserId) return null;
  const title = text.newMessageIn(m.channelName);
  const body = settings.showContent ? `${m.senderName}: ${m.body.length > 140 ? m.body.slice(0, 139) + '…' : m.body}` : '';
  return { title, body, tag: `liaison-${m.channelId}` };
}

/**
 * Messages that arrived since the last look: per channel, those past the highest seq seen before.
 * The first look at a channel only records where it stands (history is not news).
 */
export function newArrivals<M extends { seq?: number }>(
  seen: Map<string, number>,
  channels: readonly { id: string; messages: readonly M[] }[],
): { channelId: string; message: M }[] {
  const out: { channelId: string; message: M }[] = [];
  for (const c of channels) {
    const top = c.messages.reduce((n, m) => Math.max(n, m.seq ?? -1), -1);
    const before = seen.get(c.id);
    if (before !== undefined) for (const m of c.messages) if ((m.seq ?? -1) > before) out.push({ channelId: c.id, message: m });
    seen.set(c.id, Math.max(top, before ?? -1));
  }
  return out;
}
