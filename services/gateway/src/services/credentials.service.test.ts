import { createLogger, type HubError } from "@hub/common";
import { describe, expect, it } from "vitest";
import type { SignInRefusal } from "../repositories/sign-in-audit.repository.js";
import type { UserRow } from "../repositories/users.repository.js";
import { CredentialsService } from "./credentials.service.js";
import { PasswordHasher, type ScryptParams } from "./passwords.js";
import { SignInThrottle, type SignInTicket } from "./sign-in-throttle.js";

const CHEAP: ScryptParams = { log2N: 10, r: 8, p: 1 };

/** A throttle that admits everything and records what it was told. */
class OpenThrottle extends SignInThrottle {
  readonly events: string[] = [];
  constructor() {
    super({ claim: async () => 0 as never, release: async () => undefined });
  }
  override async admit(username: string, address: string): Promise<SignInTicket> {
    this.events.push(`admit ${username} ${address}`);
    return super.admit(username, address);
  }
  override async succeeded(): Promise<void> {
    this.events.push("succeeded");
  }
  override async abandoned(): Promise<void> {
    this.events.push("abandoned");
  }
}

async function setup(stored: { params: ScryptParams; disabled?: boolean } = { params: CHEAP }) {
  const hashes: ScryptParams[] = [];
  const hasher = new PasswordHasher({ params: CHEAP, onHash: (params) => hashes.push(params) });
  const row: UserRow = {
    username: "operator",
    display_name: "Operator",
    password_hash: await new PasswordHasher({ params: stored.params }).hash("right password"),
    roles: ["operator"],
    disabled_at: stored.disabled ? new Date() : null,
  };
  const replaced: string[] = [];
  const refusals: SignInRefusal[] = [];
  const throttle = new OpenThrottle();
  const service = new CredentialsService({
    users: {
      find: async (name) => (name === row.username ? row : undefined),
      replacePasswordHash: async (_name, previous, next) => {
        if (previous !== row.password_hash) return false;
        row.password_hash = next;
        replaced.push(next);
        return true;
      },
    },
    hasher,
    throttle,
    refusals: { record: (refusal) => refusals.push(refusal) },
    logger: createLogger("test", "silent"),
  });
  return { service, hashes, row, replaced, refusals, throttle };
}

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: HubError) => error.code,
  );

describe("CredentialsService", () => {
  it("spends one scrypt derivation at the current cost on an unknown user, as on a known one", async () => {
    const { service, hashes, refusals } = await setup();
    expect(await refusal(service.check("nobody", "right password", "10.0.0.5"))).toBe("UNAUTHENTICATED");
    expect(hashes).toEqual([CHEAP]);
    expect(await refusal(service.check("operator", "wrong password", "10.0.0.5"))).toBe("UNAUTHENTICATED");
    expect(hashes).toEqual([CHEAP, CHEAP]);
    expect(refusals.map((r) => r.actor)).toEqual(["nobody", "operator"]);
  });

  it("checks a disabled user's password too, and refuses", async () => {
    const { service, hashes } = await setup({ params: CHEAP, disabled: true });
    expect(await refusal(service.check("operator", "right password", "10.0.0.5"))).toBe("UNAUTHENTICATED");
    expect(hashes).toEqual([CHEAP]);
  });

  it("re-hashes a password stored at a lower cost when it signs in", async () => {
    const { service, row, replaced, throttle } = await setup({ params: { ...CHEAP, log2N: 8 } });
    const user = await service.check("Operator", "right password", "::ffff:10.0.0.5");
    expect(user.username).toBe("operator");
    expect(replaced).toHaveLength(1);
    expect(row.password_hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(throttle.events).toEqual(["admit operator 10.0.0.5", "succeeded"]);
  });
});
