/**
 * Which leaves a member should remove, without I/O. Removals come announced live
 * (`channel-updated` with a reason) and recorded in the channel (`removalsDue`), so members who
 * were offline still make them; both go through these rules and `membership.carryOutRemovals`.
 *
 * Who may: anyone in the channel heals after a leave request, a revoked device or a suspended
 * member (the server lets anyone remove those). A member whose tier was lowered (or whose sector
 * or city no longer fits) is still an active user with devices waiting to be confirmed again, so
 * only those the server lets remove an active member's leaf try: the channel's owners and the
 * member's own other devices. (Coordinators and admins may too, but the engine does not know
 * this user's role; an owner or the member does it.) Never this device's own leaf: MLS does not
 * let a member commit its own removal.
 */
import type { DueRemoval, MemberTrust, RemovalReason, ServerChannel } from './model';

export const REMOVAL_REASONS: readonly RemovalReason[] = ['leave-requested', 'device-revoked', 'member-suspended', 'tier-lowered'];

export const isRemovalReason = (reason: unknown): reason is RemovalReason =>
  typeof reason === 'string' && (REMOVAL_REASONS as readonly string[]).includes(reason);

export interface Remover {
  userId: string;
  deviceId: string;
}

/** Whether this member may carry out the removal (the server decides again). */
export function mayCarryOut(removal: DueRemoval, self: Remover, owners: readonly string[]): boolean {
  switch (removal.reason) {
    case 'leave-requested':
    case 'device-revoked':
    case 'member-suspended':
      return true;
    case 'tier-lowered':
      return removal.userId === self.userId || owners.includes(self.userId);
    default:
      return false; // a reason this client does not know: not ours to guess
  }
}

/** Whether `member`'s leaf is due to go and this device may remove it. */
export function isDue(member: MemberTrust, due: readonly DueRemoval[], self: Remover, owners: readonly string[]): boolean {
  if (member.deviceId === self.deviceId) return false;
  return due.some(
    (r) => r.userId === member.userId && (r.deviceId === null || r.deviceId === member.deviceId) && mayCarryOut(r, self, owners),
  );
}

/** The leaves this device should remove now. */
export function leavesDue(members: readonly MemberTrust[], due: readonly DueRemoval[], self: Remover, owners: readonly string[]): MemberTrust[] {
  return members.filter((m) => isDue(m, due, self, owners));
}

/**
 * The removals a channel record lists (malformed or unknown entries dropped), plus the one a
 * `channel-updated` frame announced: a server without `removalsDue` sends only the frame.
 */
export function dueRemovals(server: Pick<ServerChannel, 'removalsDue'>, announced?: DueRemoval | null): DueRemoval[] {
  const listed = (Array.isArray(server.removalsDue) ? server.removalsDue : []).filter(
    (r): r is DueRemoval =>
      !!r && typeof r.userId === 'string' && (r.deviceId === null || r.deviceId === undefined || typeof r.deviceId === 'string') && isRemovalReason(r.reason),
  );
  const all = listed.map((r) => ({ userId: r.userId, deviceId: r.deviceId ?? null, reason: r.reason }));
  return announced ? [...all, announced] : all;
}

/** Whether this user asked to leave: the `leaving` list (kept for older servers) or a due entry. */
export function isLeaving(server: Pick<ServerChannel, 'leaving' | 'removalsDue'>, userId: string): boolean {
  return (server.leaving ?? []).includes(userId) || dueRemovals(server).some((r) => r.userId === userId && r.reason === 'leave-requested');
}
