import type { LoginResponse } from "@hub/contracts";

const KEY = "hub.session";

/**
 * The signed-in session, kept in sessionStorage: one tab, gone when the tab closes. Its access token lasts minutes
 * and is replaced (with the single-use refresh token) by the TokenKeeper; the session itself lasts until
 * `sessionExpiresAt` unless the server ends it.
 */
export type Session = LoginResponse;

export function loadSession(storage: Pick<Storage, "getItem"> | undefined, now = Date.now()): Session | null {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Partial<Session>;
    if (
      typeof session.token !== "string" ||
      typeof session.refreshToken !== "string" ||
      !session.user ||
      typeof session.expiresAt !== "string" ||
      typeof session.sessionExpiresAt !== "string"
    )
      return null;
    if (Date.parse(session.sessionExpiresAt) <= now) return null;
    return session as Session;
  } catch {
    return null;
  }
}

export function saveSession(storage: Pick<Storage, "setItem"> | undefined, session: Session): void {
  try {
    storage?.setItem(KEY, JSON.stringify(session));
  } catch {
    // Kept in memory only: a reload asks to sign in again.
  }
}

export function clearSession(storage: Pick<Storage, "removeItem"> | undefined): void {
  try {
    storage?.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
}
