import type { LoginResponse } from "@hub/contracts";
import type { Session } from "./session";

/** The outcome of a refresh: new tokens, the session is over (sign in again), or no answer (try again later). */
export type RefreshOutcome = "refreshed" | "ended" | "failed";

export interface TokenKeeperDeps {
  /** POST /auth/refresh; rejects with a `status` of 401 when the session is over. */
  refresh(refreshToken: string): Promise<LoginResponse>;
  /** Keeps the newest tokens (sessionStorage), so a reload carries on. */
  save(session: Session): void;
  /** The server ended the session (signed out elsewhere, account disabled, roles changed, refresh token replayed). */
  onEnded(): void;
  now?: () => number;
  setTimeout?: (callback: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

/** Refresh this long before the access token expires (or sooner for very short tokens). */
const MARGIN_MS = 30_000;
/** After a failed refresh (network), try again this soon. */
const RETRY_MS = 5_000;

/**
 * Keeps the access token of a session fresh: refreshes it shortly before it expires and whenever the gateway
 * refuses it, one refresh at a time (a refresh token is single use; two refreshes with the same one would look like
 * a replay to the server and end the session).
 */
export class TokenKeeper {
  #session: Session;
  #inflight: Promise<RefreshOutcome> | null = null;
  #timer: unknown = null;
  #stopped = false;
  readonly #deps: Required<TokenKeeperDeps>;

  constructor(session: Session, deps: TokenKeeperDeps) {
    this.#session = session;
    this.#deps = {
      now: () => Date.now(),
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...deps,
    };
  }

  /** The access token to send now. */
  get token(): string {
    return this.#session.token;
  }

  get session(): Session {
    return this.#session;
  }

  /** Starts refreshing ahead of expiry. */
  start(): void {
    this.#stopped = false;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) this.#deps.clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** A new access token; concurrent callers share one refresh. */
  refresh(): Promise<RefreshOutcome> {
    if (this.#stopped) return Promise.resolve("ended");
    this.#inflight ??= this.#refresh().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #refresh(): Promise<RefreshOutcome> {
    try {
      const next = await this.#deps.refresh(this.#session.refreshToken);
      if (this.#stopped) return "ended";
      this.#session = next;
      this.#deps.save(next);
      this.#schedule();
      return "refreshed";
    } catch (error) {
      if (this.#stopped) return "ended";
      if ((error as { status?: unknown }).status === 401) {
        this.stop();
        this.#deps.onEnded();
        return "ended";
      }
      this.#schedule(RETRY_MS);
      return "failed";
    }
  }

  #schedule(inMs?: number): void {
    if (this.#stopped) return;
    if (this.#timer !== null) this.#deps.clearTimeout(this.#timer);
    const left = Date.parse(this.#session.expiresAt) - this.#deps.now();
    const ms = inMs ?? Math.max(0, left - MARGIN_MS, left / 2);
    this.#timer = this.#deps.setTimeout(
      () => {
        this.#timer = null;
        void this.refresh();
      },
      Math.min(ms, 2 ** 31 - 1),
    );
  }
}
