import { createContext, useContext } from 'react';
import type { SessionUser } from './session-api.ts';

export interface Session {
  user: SessionUser;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
