/**
 * When the workspace reads the member directory again: the directory gives the names shown for
 * members, and a member it did not list when it was read (someone who registered or was added
 * since, e.g. once the network key was set and their device confirmed) would show as "Unknown
 * member" until a reload. The key below changes when such members appear (each set is asked
 * for once, so someone the directory really does not list costs one read, not a loop).
 */
export function unknownMembersKey(views: readonly { members: readonly { userId: string }[] }[], known: ReadonlyMap<string, unknown>): string {
  const unknown = new Set<string>();
  for (const v of views) for (const m of v.members) if (m.userId !== '?' && !known.has(m.userId)) unknown.add(m.userId);
  return [...unknown].sort().join(',');
}
