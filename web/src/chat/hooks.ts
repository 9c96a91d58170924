import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ChatState, ChatStore } from './store.js';

// Components read the store through this context and re-render on every change (the state is small; Preact's
// diff keeps the DOM work to what changed).

export const StoreContext = createContext<ChatStore | null>(null);

export function useStore(): ChatStore {
  const store = useContext(StoreContext);
  if (store === null) throw new Error('useStore outside <StoreContext.Provider>');
  return store;
}

export function useChat(): ChatState {
  const store = useStore();
  const [state, setState] = useState(store.state);
  useEffect(() => store.subscribe(() => setState(store.state)), [store]);
  return state;
}
