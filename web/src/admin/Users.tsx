import { useState } from 'preact/hooks';
import type { Api } from '../shared/api.js';
import { ApiError, describeError, path } from '../shared/api.js';

// Admins only: set a user's service-wide role (PUT /api/admin/users/{userId}/role, user id or username), and erase
// a user's personal data (DELETE /api/admin/users/{userId}), which cannot be undone, so the admin types the
// username again to confirm.

const ROLES = ['user', 'analyst', 'auditor', 'admin'] as const;
interface Outcome { user: { userId: string; username: string; role: string; erased: boolean }; changed?: boolean }

export function Users({ api }: { api: Api }) {
  const [message, setMessage] = useState('');
  const [erasing, setErasing] = useState<string | null>(null);

  async function grant(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.currentTarget instanceof HTMLFormElement ? event.currentTarget : undefined);
    const who = String(data.get('who') ?? '').trim();
    try {
      const outcome = await api.put<Outcome>(path`/api/admin/users/${who}/role`, { role: String(data.get('role')) });
      setMessage(outcome.changed ? `${outcome.user.username} is now ${outcome.user.role}.` : `${outcome.user.username} already was ${outcome.user.role}.`);
    } catch (error) {
      setMessage(describeError(error));
    }
  }

  async function erase(event: SubmitEvent) {
    event.preventDefault();
    const data = new FormData(event.currentTarget instanceof HTMLFormElement ? event.currentTarget : undefined);
    const confirmation = String(data.get('confirm') ?? '').trim();
    if (erasing === null) return;
    if (confirmation !== erasing) {
      setMessage('The names differ: nothing was erased.');
      return;
    }
    try {
      const outcome = await api.delete<Outcome>(path`/api/admin/users/${erasing}`);
      setMessage(`${outcome.user.username}'s personal data is erased.`);
      setErasing(null);
    } catch (error) {
      setMessage(error instanceof ApiError && error.missing ? 'This server cannot erase over HTTP yet: use `chat users erase <user>`.' : describeError(error));
    }
  }

  return (
    <section class="tile wide" aria-labelledby="t-users" id="admin-users">
      <h2 id="t-users">Users</h2>
      <form class="row" id="grant-role" onSubmit={(event) => void grant(event)}>
        <label class="grow">
          User (username or id)
          <input name="who" required maxLength={200} />
        </label>
        <label>
          Role
          <select name="role">
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Set role</button>
      </form>
      <form
        class="row"
        id="erase-user"
        onSubmit={(event) => {
          event.preventDefault();
          const who = String(new FormData(event.currentTarget).get('who') ?? '').trim();
          if (who) setErasing(who);
        }}
      >
        <label class="grow">
          Erase a user's personal data (username)
          <input name="who" required maxLength={200} />
        </label>
        <button type="submit" class="danger-button">
          Erase…
        </button>
      </form>
      {erasing !== null ? (
        <form class="confirm" role="alertdialog" aria-labelledby="erase-title" id="erase-confirm" onSubmit={(event) => void erase(event)}>
          <h3 id="erase-title">Erase {erasing}?</h3>
          <p>Their messages' texts and their e-mail become unreadable for good, and the account is closed. This cannot be undone.</p>
          <label>
            Type the username to confirm
            <input name="confirm" required autoFocus autocomplete="off" />
          </label>
          <div class="row">
            <button type="submit" class="danger-button">
              Erase for good
            </button>
            <button type="button" class="secondary" onClick={() => setErasing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <p role="status" id="users-message" class="small">
        {message}
      </p>
    </section>
  );
}
