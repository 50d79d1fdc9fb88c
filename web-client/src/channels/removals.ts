/**
 * Which leaves a member should remove, without I/O. Removals come announced live
 * (`channel-updated` with a reason) and recorded in the channel (`removalsDue`), so members who
 * were offline still make them; both go through these rules and `membership.carryOutRemovals`.
 *
 * Who may: anyone in the channel, for every reason the protocol names, as the server allows:
 * healing after a leave request, a revoked device or a suspended member, and removing a member
 * who no longer meets the policy (a lowered tier, a sector or city that no longer fits), since
 * every member's channel is paused until then. Not for a reason this client does not know, and
 * never this device's own leaf: MLS does not let a member commit its own removal.
 */
import type { DueRemoval, MemberTrust, RemovalReason, ServerChannel } from './model';

export const REMOVAL_REASONS: readonly RemovalReason[] = ['leave-requested', 'device-revoked', 'member-suspended', 'tier-lowered'];

export const isRemovalReason = (reason: unknown): reason is RemovalReason =>
  typeof reason === 'string' && (REMOVAL_REASONS as readonly string[]).includes(reason);

export interface Remover {
  userId: string;
  deviceId: string;
}

/** Whether any member may carry out the removal (the server decides again). */
export function mayCarryOut(removal: DueRemoval): boolean {
  switch (removal.reason) {
    case 'leave-requested':
    case 'device-revoked':
    case 'member-suspended':
    case 'tier-lowered':
      return true;
    default:
      return false; // a reason this client does not know: not ours to guess
  }
}

/** Whether `member`'s leaf is due to go and this device may remove it. */
export function isDue(member: MemberTrust, due: readonly DueRemoval[], self: Remover): boolean {
  if (member.deviceId === self.deviceId) return false;
  return due.some((r) => r.userId === member.userId && (r.deviceId === null || r.deviceId === member.deviceId) && mayCarryOut(r));
}

/** The leaves this device should remove now. */
export function leavesDue(members: readonly MemberTrust[], due: readonly DueRemoval[], self: Remover): MemberTrust[] {
  return members.filter((m) => isDue(m, due, self));
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
