import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './admin.css';
import { Api, describeError } from '../shared/api.js';
import { Session } from '../shared/session.js';
import type { TokenPair, User } from '../shared/types.js';
import { Dashboard } from './Dashboard.js';
import { Users } from './Users.js';

// /admin: the back office for the analyst and admin roles. It shares the chat page's session (same tabs, same
// refresh-token rules: shared/session.ts), or signs in by itself.

// The refresh call goes through the same Api, which needs the session first: hence the forward reference.
const session: Session = new Session((refreshToken) => api.post<TokenPair>('/api/auth/refresh', { refreshToken }));
const api = new Api(session);

function SignIn() {
  const [error, setError] = useState('');
  return (
    <main class="card">
      <h1>Back office</h1>
      <form
        class="stack"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          api
            .post<TokenPair>('/api/auth/login', { username: String(data.get('username')), password: String(data.get('password')) })
            .then((pair) => session.set(pair), (caught: unknown) => setError(describeError(caught)));
        }}
      >
        <label>
          Username
          <input name="username" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
        <p class="error" role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}

function Admin() {
  const [user, setUser] = useState<User | null>(session.user());
  useEffect(() => session.onChange(() => setUser(session.user())), []);
  if (user === null) return <SignIn />;
  const allowed = user.role === 'analyst' || user.role === 'admin';
  return (
    <div class="admin">
      <header class="topbar row">
        <h1 class="grow">Back office</h1>
        <span class="muted">
          {user.username} · {user.role}
        </span>
        <a class="link" href="/">
          Chat
        </a>
        <button type="button" class="link" onClick={() => void api.post('/api/auth/logout').catch(() => undefined).then(() => session.clear())}>
          Sign out
        </button>
      </header>
      <main>
        {allowed ? (
          <>
            <Dashboard api={api} />
            {user.role === 'admin' ? <Users api={api} /> : null}
          </>
        ) : (
          <p class="card" role="alert">
            The back office is for the analyst and admin roles; you are signed in as {user.role}.
          </p>
        )}
      </main>
    </div>
  );
}

async function start() {
  await session.restore();
  const root = document.getElementById('app');
  if (root === null) return;
  root.replaceChildren();
  render(<Admin />, root);
}

void start();
