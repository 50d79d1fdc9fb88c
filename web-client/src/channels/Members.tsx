import { useState } from 'preact/hooks';
import { t, tf, type MessageKey } from '../i18n';
import type { User } from '../model';
import { MemberBadge } from '../pages/MemberBadge';
import { Avatar } from '../workspace/Avatar';
import { NO_PLACES, placeOf, type Places } from '../workspace/people';
import { SafetyNumberPanel } from '../pages/SafetyNumber';
import type { ChannelEngine } from './engine';
import type { ChannelView, MemberTrust } from './model';
import { humanError, policyRefusal } from './text';

/**
 * The channel's members as its MLS tree says (what this browser verified), with their
 * attestation and any problem, plus the directory to add people the policy allows (others are
 * greyed with the reason), remove, and leave.
 */
export function Members({
  engine,
  view,
  users,
  places = NO_PLACES,
  reloadUsers,
  go,
  onClose,
}: {
  engine: ChannelEngine;
  view: ChannelView;
  users: Map<string, User>;
  places?: Places;
  /** Reads the directory again, so the picker shows who waits for a device confirmation now. */
  reloadUsers?: () => void;
  go: (path: string) => void;
  onClose: () => void;
}) {
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [safetyFor, setSafetyFor] = useState<string | null>(null);
  const name = (id: string) => users.get(id)?.displayName ?? t('chat.unknownMember');
  const isOwner = view.owners.includes(engine.userId);

  const byUser = new Map<string, MemberTrust[]>();
  for (const m of view.members) byUser.set(m.userId, [...(byUser.get(m.userId) ?? []), m]);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
    } catch (e) {
      setError(humanError(e, name, { person: (id) => users.get(id), policy: view.policy }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside class="members" aria-labelledby="members-title">
      <div class="row spread">
        <h2 id="members-title">{t('members.title')}</h2>
        <button type="button" class="link" onClick={onClose}>
          {t('members.close')}
        </button>
      </div>
      <ul class="member-list">
        {[...byUser.entries()].map(([userId, devices]) => {
          const first = devices[0];
          const problem = devices.find((d) => d.problem)?.problem;
          return (
            <li key={userId} class={problem ? 'member problem' : 'member'}>
              <Avatar id={userId} name={name(userId)} size="small" />
              <span class="member-who">
                <span class="member-name" dir="auto">{userId === engine.userId ? `${name(userId)} (${t('chat.you')})` : name(userId)}</span>
                {placeOf(users.get(userId), places) && (
                  <span class="small muted member-place">
                    <bdi>{placeOf(users.get(userId), places)}</bdi>
                  </span>
                )}
              </span>
              {view.owners.includes(userId) && <span class="badge">{t('members.owner')}</span>}
              {first.tier !== undefined && !problem && (
                <span class="small">
                  {tf('members.attested', { tier: `T${first.tier}`, sector: t(`sector.${first.sector}` as MessageKey) })}
                </span>
              )}
              {problem && <span class="error small">{t(`members.problem.${problem}` as MessageKey)}</span>}
              {devices.length > 1 && <span class="small muted">{tf('members.devices', { count: devices.length })}</span>}
              {userId !== engine.userId && (
                <MemberBadge api={engine.api} store={engine.store} userId={userId} onOpen={() => setSafetyFor(userId)} />
              )}
              {isOwner && userId !== engine.userId && view.joined && (
                <button
                  type="button"
                  class="link"
                  disabled={busy}
                  title={t('members.addAgainHelp')}
                  onClick={() =>
                    act(async () => {
                      const { missing } = await engine.addAgain(view.id, userId);
                      setNotice(missing.length ? tf('members.noDevice', { name: name(userId) }) : t('members.added'));
                    })
                  }
                >
                  {t('members.addAgain')}
                </button>
              )}
              {isOwner && userId !== engine.userId && view.joined && (
                <button
                  type="button"
                  class="link danger"
                  disabled={busy}
                  onClick={() => confirm(tf('members.removeConfirm', { name: name(userId) })) && act(() => engine.removeMember(view.id, userId))}
                >
                  {t('members.remove')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {safetyFor && (
        <SafetyNumberPanel
          api={engine.api}
          store={engine.store}
          myUserId={engine.userId}
          user={{ id: safetyFor, displayName: name(safetyFor) }}
          onClose={() => setSafetyFor(null)}
        />
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
      {view.joined && !view.removed && (
        <div class="row">
          <button
            type="button"
            class="secondary"
            aria-expanded={adding}
            onClick={() => {
              if (!adding) reloadUsers?.();
              setAdding(!adding);
            }}
          >
            {t('members.add')}
          </button>
          {!view.leaving && (
            <button
              type="button"
              class="secondary danger"
              disabled={busy}
              onClick={() =>
                confirm(t('members.leaveConfirm')) &&
                act(async () => {
                  await engine.leave(view.id);
                  go('/');
                })
              }
            >
              {t('members.leave')}
            </button>
          )}
        </div>
      )}
      {adding && (
        <AddMembers
          view={view}
          users={users}
          places={places}
          busy={busy}
          onAdd={(ids) =>
            act(async () => {
              const { missing } = await engine.addMembers(view.id, ids);
              setNotice(missing.length ? missing.map((id) => tf('members.noDevice', { name: name(id) })).join(' ') : t('members.added'));
              if (missing.length === 0) setAdding(false);
            })
          }
        />
      )}
    </aside>
  );
}

function AddMembers({
  view,
  users,
  places,
  busy,
  onAdd,
}: {
  view: ChannelView;
  users: Map<string, User>;
  places: Places;
  busy: boolean;
  onAdd: (userIds: string[]) => void;
}) {
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const inChannel = new Set(view.members.map((m) => m.userId));
  const q = query.trim().toLocaleLowerCase();
  const people = [...users.values()]
    .filter((u) => !q || [u.displayName, u.email ?? '', placeOf(u, places)].some((s) => s.toLocaleLowerCase().includes(q)))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));

  return (
    <form
      class="add-members stack"
      onSubmit={(e) => {
        e.preventDefault();
        if (chosen.length) onAdd(chosen);
      }}
    >
      <label>
        {t('members.search')}
        <input type="search" dir="auto" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </label>
      <ul class="directory">
        {people.map((u) => {
          const member = inChannel.has(u.id);
          const refusal = member ? t('members.alreadyIn') : policyRefusal(view.policy, u);
          const id = `add-${u.id}`;
          return (
            <li key={u.id} class={refusal ? 'disabled' : ''}>
              <input
                id={id}
                type="checkbox"
                disabled={refusal !== null}
                checked={chosen.includes(u.id)}
                aria-describedby={refusal ? `${id}-why` : undefined}
                onChange={(e) => setChosen(e.currentTarget.checked ? [...chosen, u.id] : chosen.filter((x) => x !== u.id))}
              />
              <label for={id}>
                <bdi>{u.displayName}</bdi>{' '}
                <span class="small muted">
                  {placeOf(u, places) && (
                    <>
                      <bdi>{placeOf(u, places)}</bdi> ·{' '}
                    </>
                  )}
                  {u.tier} · {t(`sector.${u.sector}` as MessageKey)}
                </span>
              </label>
              {refusal && (
                <span id={`${id}-why`} class="small reason">
                  {refusal}
                </span>
              )}
            </li>
          );
        })}
      </ul>
      <button type="submit" disabled={busy || chosen.length === 0}>
        {t('members.addSelected')}
      </button>
    </form>
  );
}
