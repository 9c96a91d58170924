import { render } from 'preact';
import './chat.css';
import { App } from './App.js';
import { StoreContext } from './hooks.js';
import { returnFromProvider } from './SignIn.js';
import { ChatStore } from './store.js';
import type { TokenPair } from '../shared/types.js';

// The chat page's entry point (built by web/build.ts into dist/web/assets/chat.js).

async function start(): Promise<void> {
  const store = new ChatStore();
  const back = await returnFromProvider((code) => store.api.post<TokenPair>('/api/auth/oauth/exchange', { code }));
  if (back.notice) store.set({ notice: back.notice });
  if (back.pair) store.session.set(back.pair);
  else await store.session.restore();
  const root = document.getElementById('app');
  if (root === null) return;
  root.replaceChildren();
  render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>,
    root,
  );
  await store.enter();
}

void start();
