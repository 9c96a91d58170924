import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError, path } from '../shared/api.js';
import type { Provider, User } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';

// My profile (display name, status, avatar) and my sign-in methods (providers linked to the account).

export function Profile() {
  const store = useStore();
  const state = useChat();
  const me = state.me;
  const [message, setMessage] = useState('');
  if (me === null) return null;

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.currentTarget instanceof HTMLFormElement ? event.currentTarget : undefined);
    const avatarUrl = String(data.get('avatarUrl') ?? '').trim();
    try {
      // The address goes only when changed: an uploaded picture's is the service's own path, which the field rule
      // (an absolute URL) would refuse if sent back as it is.
      const { user } = await store.api.patch<{ user: User }>('/api/users/me', {
        displayName: String(data.get('displayName') ?? ''),
        statusText: String(data.get('statusText') ?? ''),
        ...(avatarUrl === (me?.avatarUrl ?? '') ? {} : { avatarUrl: avatarUrl === '' ? null : avatarUrl }),
      });
      store.session.updateUser(user);
      store.remember(user);
      setMessage('Saved.');
    } catch (error) {
      setMessage(describeError(error));
    }
  }

  async function upload(event: Event) {
    const input = event.currentTarget;
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    if (file === undefined) return;
    const form = new FormData();
    form.append('file', file);
    const token = store.session.accessToken();
    const response = await fetch('/api/users/me/avatar', { method: 'PUT', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (!response.ok) {
      setMessage(response.status === 404 || response.status === 415 ? 'Uploading pictures is not available on this server yet.' : `Upload refused (${response.status}).`);
      return;
    }
    const { user }: { user: User } = await response.json();
    store.session.updateUser(user);
    store.remember(user);
    setMessage('Picture updated.');
  }

  return (
    <section id="profile" class="page" aria-labelledby="profile-title">
      <header class="room-header">
        <button type="button" class="icon back" aria-label="Back to rooms" onClick={() => store.set({ view: 'chat' })}>
          ←
        </button>
        <h2 id="profile-title" class="grow">
          Your profile
        </h2>
      </header>
      <div class="page-body">
        <div class="row">
          <Avatar person={me} size="l" />
          <span class="stack-tight">
            <strong>@{me.username}</strong>
            <span class="muted small">{me.email ?? 'no e-mail: friends cannot find you by it'}</span>
            <span class="muted small">role: {me.role}</span>
          </span>
        </div>
        <form class="stack" id="profile-form" onSubmit={(event) => void save(event)}>
          <label>
            Display name
            <input name="displayName" defaultValue={me.displayName} required maxLength={64} />
          </label>
          <label>
            Status
            <input name="statusText" defaultValue={me.statusText} maxLength={140} placeholder="What are you up to?" />
          </label>
          <label>
            Picture address <span class="muted small">(shown only when this service hosts it)</span>
            <input name="avatarUrl" inputMode="url" defaultValue={me.avatarUrl ?? ''} maxLength={2048} />
          </label>
          <label>
            Or upload a picture
            <input type="file" accept="image/*" onChange={(event) => void upload(event)} />
          </label>
          <button type="submit">Save</button>
          <p class="muted small" role="status" id="profile-message">
            {message}
          </p>
        </form>
        <Identities />
      </div>
    </section>
  );
}

function Identities() {
  const store = useStore();
  const [providers, setProviders] = useState<Provider[]>([]);
  const [linked, setLinked] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState(store.state.notice);

  async function load() {
    const list = (await store.api.get<{ providers: Provider[] }>('/api/auth/providers').catch(() => ({ providers: [] }))).providers;
    setProviders(list);
    if (list.length === 0) return;
    const { identities } = await store.api.get<{ identities: { provider: string }[] }>('/api/auth/identities');
    setLinked(new Set(identities.map((identity) => identity.provider)));
  }
  useEffect(() => {
    load().catch((error: unknown) => setMessage(describeError(error)));
  }, []);
  if (providers.length === 0) return null;

  async function toggle(provider: Provider) {
    try {
      if (linked.has(provider.id)) {
        await store.api.delete(path`/api/auth/identities/${provider.id}`);
        setMessage(`${provider.name} unlinked`);
        await load();
      } else {
        // The answer also sets the sign-in cookie for the callback; then the browser goes to the provider.
        const { url } = await store.api.post<{ url: string }>(path`/api/auth/identities/${provider.id}/start`);
        location.assign(url);
      }
    } catch (error) {
      setMessage(error instanceof ApiError ? `${error.code}: ${error.message}` : describeError(error));
    }
  }

  return (
    <details id="sign-in-methods">
      <summary>Sign-in methods</summary>
      <ul id="identities">
        {providers.map((provider) => (
          <li key={provider.id} class="row">
            <span class="grow">{provider.name}</span>
            <button type="button" class="link" data-provider={provider.id} onClick={() => void toggle(provider)}>
              {linked.has(provider.id) ? 'Unlink' : 'Link'}
            </button>
          </li>
        ))}
      </ul>
      <p id="identity-message" class="muted" role="status">
        {message}
      </p>
    </details>
  );
}
