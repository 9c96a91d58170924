import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../shared/api.js';
import type { Provider, TokenPair } from '../shared/types.js';
import { useStore } from './hooks.js';

// Sign in, or create an account (with an e-mail, so friends can find you: GET /api/users/search looks people up by
// it), or sign in with a configured provider. The provider's callback brings the browser back with a one-time
// `?code=`, exchanged here for tokens and taken out of the address bar at once; tokens never travel in a URL.

export function SignIn() {
  const store = useStore();
  const [providers, setProviders] = useState<Provider[]>([]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    store.api.get<{ providers: Provider[] }>('/api/auth/providers').then((body) => setProviders(body.providers), () => setProviders([]));
  }, [store]);

  async function onSubmit(event: SubmitEvent) {
    event.preventDefault();
    const form = new FormData(event.currentTarget instanceof HTMLFormElement ? event.currentTarget : undefined);
    const submitter = event.submitter instanceof HTMLButtonElement ? event.submitter.value : 'login';
    const username = String(form.get('username') ?? '');
    const password = String(form.get('password') ?? '');
    const email = String(form.get('email') ?? '').trim();
    const displayName = String(form.get('displayName') ?? '').trim();
    setError('');
    setBusy(true);
    try {
      if (submitter === 'register') {
        await store.api.post('/api/auth/register', { username, password, ...(email ? { email } : {}), ...(displayName ? { displayName } : {}) });
      }
      store.session.set(await store.api.post<TokenPair>('/api/auth/login', { username, password }));
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="signin" class="card">
      <h1>Chat</h1>
      <form id="auth-form" onSubmit={onSubmit}>
        <label>
          Username
          <input name="username" autocomplete="username" required minLength={3} maxLength={32} />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <fieldset class="signup-only">
          <legend>New here? Also tell us (optional)</legend>
          <label>
            E-mail <span class="muted">(friends find you by it; never shown to others)</span>
            <input name="email" type="email" autocomplete="email" maxLength={254} />
          </label>
          <label>
            Display name
            <input name="displayName" autocomplete="name" maxLength={64} />
          </label>
        </fieldset>
        <div class="row">
          <button type="submit" name="action" value="login" disabled={busy}>
            Sign in
          </button>
          <button type="submit" name="action" value="register" class="secondary" disabled={busy}>
            Create account
          </button>
        </div>
        <p id="auth-error" class="error" role="alert">
          {error}
        </p>
      </form>
      {providers.length > 0 ? (
        <div id="providers">
          <p class="muted">or sign in with</p>
          <div id="provider-buttons" class="stack">
            {providers.map((provider) => (
              <a key={provider.id} class="button" data-provider={provider.id} href={`/api/auth/oauth/${encodeURIComponent(provider.id)}/start`}>
                Sign in with {provider.name}
              </a>
            ))}
          </div>
        </div>
      ) : null}
    </main>
  );
}

/** The provider's answer in the address bar (`?code=` to exchange, `?linked=` after linking), removed at once. */
export async function returnFromProvider(exchange: (code: string) => Promise<TokenPair>): Promise<{ pair?: TokenPair; notice?: string }> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const linked = params.get('linked');
  if (code === null && linked === null) return {};
  history.replaceState(null, '', location.pathname);
  if (linked !== null) return { notice: `${linked} linked` };
  try {
    return { pair: await exchange(code ?? '') };
  } catch (caught) {
    return { notice: describeError(caught) };
  }
}
