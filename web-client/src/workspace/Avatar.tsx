import { avatarColour, initials } from './avatar';

/** A person's initials on their colour; decorative (their name is always written beside it). */
export function Avatar({ id, name, size = 'normal' }: { id: string; name: string; size?: 'small' | 'normal' }) {
  return (
    <span class={`avatar avatar-${size}`} style={{ background: avatarColour(id) }} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
