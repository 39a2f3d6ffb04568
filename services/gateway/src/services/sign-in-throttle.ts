import { HubError } from "@hub/common";

/**
 * What a sign-in attempt is counted against:
 * - `address`: the client's address, whatever username it tries (password spraying from one place);
 * - `user_address`: one username from one address (guessing one user's password from one place);
 * - `user`: one username from every address; it never refuses anyone by itself, it only tells that the username is
 *   under attack, and then each address gets a single free failure for that username instead of several.
 */
export type ThrottleScope = "address" | "user" | "user_address";

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
}

export interface ThrottleCounter extends ThrottleKey {
  failures: number;
  lastFailureAt: Date;
}

export interface ThrottlePolicy {
  /** Failures from one address (any usernames) before its attempts are delayed (generous: a command centre's NAT). */
  freePerAddress: number;
  /** Failures for one username from one address before that address's attempts at it are delayed. */
  freePerUserAddress: number;
  /** Failures for one username from all addresses after which every address gets only one free failure for it. */
  userUnderAttackAfter: number;
  /**
   * The first delay; each further failure doubles it, up to `maxDelayMs`. Counted from the START of the attempt
   * before (attempts are counted before their password is checked), so it must be well above a scrypt's duration.
   */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A counter is forgotten this long after its last failure. */
  windowMs: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  freePerAddress: 20,
  freePerUserAddress: 5,
  userUnderAttackAfter: 10,
  baseDelayMs: 30_000,
  maxDelayMs: 15 * 60_000,
  windowMs: 60 * 60_000,
};

/**
 * Where the counters live: a table shared by every gateway instance (sign-in-attempts.repository.ts). `claim` runs
 * in one transaction: it locks the counters of `keys` in the order given (creating missing ones at zero), passes them
 * and the database's clock to `decide`, and stores the counters `decide` returns, so two instances (or two requests)
 * never both take the last free attempt.
 */
export interface SignInAttemptsStore {
  claim<T>(
    keys: ThrottleKey[],
    decide: (counters: ThrottleCounter[], now: Date) => { save: ThrottleCounter[]; result: T },
  ): Promise<T>;
  /** Lowers `lower` by one (an attempt counted in advance that turned out not to be a failure) and drops `forget`. */
  release(lower: ThrottleKey[], forget: ThrottleKey[]): Promise<void>;
}

/** A sign-in refused before its password is looked at: HTTP 429 with Retry-After. */
export class SignInThrottledError extends HubError {
  constructor(retryAfterS: number) {
    super("RESOURCE_EXHAUSTED", `too many failed sign-ins from this address; try again in ${retryAfterS} s`, {
      retriable: true,
      retryAfterMs: retryAfterS * 1000,
    });
  }
}

/** An admitted attempt; already counted as a failure until `succeeded` or `abandoned` says otherwise. */
export interface SignInTicket {
  readonly address: ThrottleKey;
  readonly user: ThrottleKey;
  readonly userAddress: ThrottleKey;
}

/** Milliseconds an attempt must wait after `failures` failures of which `free` cost nothing: 0, then doubling. */
export function delayAfter(failures: number, free: number, policy: ThrottlePolicy): number {
  if (failures < free) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(failures - free, 30));
}

/**
 * Per-address and per-username throttling with growing delays, shared through the database. Every attempt is
 * counted as a failure BEFORE its password is checked (so a burst of parallel guesses cannot all pass the check
 * before the first failure is written), and un-counted when it succeeds.
 *
 * Why an attacker cannot lock the real user out: nothing is ever refused because of failures made from OTHER
 * addresses. The username's own counter (`user`) only lowers the free allowance of addresses that fail at it
 * themselves, to one; an address that has not failed at that username (the user's own workstation) is admitted and
 * its correct password accepted however many failures come from elsewhere. A botnet thus still gets one guess per
 * address per username, then doubling delays per address, and each address is also limited across usernames.
 */
export class SignInThrottle {
  constructor(
    private readonly store: SignInAttemptsStore,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  /** Admits the attempt (counted as a failure in advance), or throws SignInThrottledError. */
  async admit(username: string, address: string): Promise<SignInTicket> {
    const ticket: SignInTicket = {
      address: { scope: "address", key: address },
      user: { scope: "user", key: username },
      userAddress: { scope: "user_address", key: JSON.stringify([username, address]) },
    };
    // Locked in one fixed order by every instance (address, user, user_address), so no two attempts deadlock.
    const waitMs = await this.store.claim([ticket.address, ticket.user, ticket.userAddress], (counters, now) =>
      this.decide(counters, now),
    );
    if (waitMs > 0) throw new SignInThrottledError(Math.max(1, Math.ceil(waitMs / 1000)));
    return ticket;
  }

  /** The password was right: the attempt was no failure, and this address's failures at this username are forgiven. */
  async succeeded(ticket: SignInTicket): Promise<void> {
    await this.store.release([ticket.address, ticket.user], [ticket.userAddress]);
  }

  /** The attempt could not be judged (e.g. the hasher was busy): it does not count. */
  async abandoned(ticket: SignInTicket): Promise<void> {
    await this.store.release([ticket.address, ticket.user, ticket.userAddress], []);
  }

  /** The decision on locked counters [address, user, user_address]: how long to wait, or the counters to store. */
  decide(counters: ThrottleCounter[], now: Date): { save: ThrottleCounter[]; result: number } {
    const [address, user, userAddress] = counters.map((counter) => this.current(counter, now));
    if (!address || !user || !userAddress) throw new Error("expected the address, user and user_address counters");
    const { policy } = this;
    const underAttack = user.failures >= policy.userUnderAttackAfter;
    const freeHere = underAttack ? Math.min(1, policy.freePerUserAddress) : policy.freePerUserAddress;
    const allowedAt = Math.max(
      address.lastFailureAt.getTime() + delayAfter(address.failures, policy.freePerAddress, policy),
      userAddress.lastFailureAt.getTime() + delayAfter(userAddress.failures, freeHere, policy),
    );
    const waitMs = allowedAt - now.getTime();
    if (waitMs > 0) return { save: [], result: waitMs };
    return {
      save: [address, user, userAddress].map((counter) => ({
        ...counter,
        failures: counter.failures + 1,
        lastFailureAt: now,
      })),
      result: 0,
    };
  }

  private current(counter: ThrottleCounter | undefined, now: Date): ThrottleCounter | undefined {
    if (!counter) return undefined;
    const stale = now.getTime() - counter.lastFailureAt.getTime() > this.policy.windowMs;
    return stale ? { ...counter, failures: 0 } : counter;
  }
}
