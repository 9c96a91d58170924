import { initialsOf, localImageUrl, nameOf } from '../shared/format.js';
import type { PublicProfile } from '../shared/types.js';
import { useBlobUrl } from './files.js';
import { useStore } from './hooks.js';

/** A picture when the service hosts it (the CSP allows no other), else initials; online dot when presence is known. */
export function Avatar({ person, online, size = 'm' }: { person: PublicProfile | undefined; online?: boolean; size?: 's' | 'm' | 'l' }) {
  const store = useStore();
  const name = nameOf(person);
  const src = useBlobUrl(store.session, localImageUrl(person?.avatarUrl, location.origin));
  return (
    <span class={`avatar avatar-${size}`} aria-hidden="true">
      {src !== null ? <img src={src} alt="" /> : <span class="initials">{initialsOf(name)}</span>}
      {online === undefined ? null : <span class={online ? 'dot online' : 'dot'} />}
    </span>
  );
}
