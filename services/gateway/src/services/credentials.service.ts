import { AuthenticationError, type Logger } from "@hub/common";
import type { SignInRefusal } from "../repositories/sign-in-audit.repository.js";
import type { UserRow } from "../repositories/users.repository.js";
import { addressKey } from "./client-address.js";
import type { PasswordHasher } from "./passwords.js";
import { type SignInThrottle, SignInThrottledError } from "./sign-in-throttle.js";

export interface CredentialsObserver {
  signIn(outcome: "success" | "failure" | "throttled" | "busy"): void;
}

/**
 * Checks a username and password, and nothing else (the token is AuthService's business):
 * 1. the throttle admits the attempt or refuses it with a wait (HTTP 429, Retry-After), before any work;
 * 2. the password is verified with scrypt whether or not the user exists (an unknown user is checked against a
 *    dummy hash at the same cost) and whether or not the user is disabled, so the answer's timing does not tell
 *    which usernames exist;
 * 3. a failure is audited in a batch (no lock per attempt); a success whose stored hash is weaker than the current
 *    cost is re-hashed on the spot (the password is at hand only now).
 */
export class CredentialsService {
  constructor(
    private readonly deps: {
      users: {
        find(username: string): Promise<UserRow | undefined>;
        replacePasswordHash(username: string, previous: string, next: string): Promise<boolean>;
      };
      hasher: PasswordHasher;
      throttle: SignInThrottle;
      refusals: { record(refusal: SignInRefusal): void };
      observer?: CredentialsObserver;
      logger: Logger;
    },
  ) {}

  /** The user, when `password` is theirs and they are not disabled; AuthenticationError or SignInThrottledError. */
  async check(username: string, password: string, sourceIp: string | undefined): Promise<UserRow> {
    const { hasher, throttle, refusals, observer } = this.deps;
    const name = username.toLowerCase();
    let ticket: Awaited<ReturnType<SignInThrottle["admit"]>>;
    try {
      ticket = await throttle.admit(name, addressKey(sourceIp));
    } catch (error) {
      if (error instanceof SignInThrottledError) {
        observer?.signIn("throttled");
        refusals.record({ actor: name, action: "sign_in_throttled", sourceIp });
      }
      throw error;
    }
    let user: UserRow | undefined;
    let verdict: { ok: boolean; rehash: boolean };
    try {
      user = await this.deps.users.find(name);
      if (user) verdict = await hasher.verify(password, user.password_hash);
      else {
        await hasher.verifyUnknown(password);
        verdict = { ok: false, rehash: false };
      }
    } catch (error) {
      // Not judged (the hasher is busy, the database failed): the attempt does not count against anyone.
      observer?.signIn("busy");
      await throttle.abandoned(ticket).catch(() => undefined);
      throw error;
    }
    if (!user || !verdict.ok || user.disabled_at) {
      observer?.signIn("failure");
      refusals.record({ actor: name, action: "sign_in_failed", sourceIp });
      throw new AuthenticationError("wrong username or password");
    }
    observer?.signIn("success");
    await throttle.succeeded(ticket);
    if (verdict.rehash) await this.rehash(user, password);
    return user;
  }

  /** A hash at the current cost (seeding, password changes). */
  hash(password: string): Promise<string> {
    return this.deps.hasher.hash(password);
  }

  private async rehash(user: UserRow, password: string): Promise<void> {
    try {
      const next = await this.deps.hasher.hash(password);
      // Only if the stored hash is still the one checked: a password changed meanwhile is not overwritten.
      if (await this.deps.users.replacePasswordHash(user.username, user.password_hash, next))
        this.deps.logger.info({ user: user.username }, "password hash raised to the current scrypt cost");
    } catch (err) {
      // The sign-in stands; the next one tries again.
      this.deps.logger.warn({ err, user: user.username }, "could not re-hash the password");
    }
  }
}
