import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import { HubError } from "@hub/common";

/** scrypt's cost parameters: N = 2^log2N (memory and CPU), block size r, parallelism p. */
export interface ScryptParams {
  log2N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet (2024+): N = 2^17, r = 8, p = 1 (128 MiB and some 0.1-0.5 s per hash). */
export const OWASP_SCRYPT: ScryptParams = { log2N: 17, r: 8, p: 1 };
/** The cheapest cost a gateway may be configured with outside production (tests); production refuses below OWASP. */
export const MIN_SCRYPT_LOG2N = 12;
/** Stored hashes beyond these are refused rather than computed (a row written by hand must not exhaust memory). */
const MAX_STORED: ScryptParams = { log2N: 20, r: 16, p: 4 };
const LENGTH = 32;

export type Derive = (password: string, salt: Buffer, length: number, params: ScryptParams) => Promise<Buffer>;

/** node:crypto's scrypt; `maxmem` allows the 128·N·r bytes the parameters need (Node's 32 MiB default would not). */
export const scryptDerive: Derive = (password, salt, length, { log2N, r, p }) =>
  new Promise((resolve, reject) => {
    const N = 2 ** log2N;
    scryptCallback(password, salt, length, { N, r, p, maxmem: 128 * N * r * p + 32 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** "scrypt$N$r$p$salt$hash" (base64url): the parameters travel with the hash so they can be raised later. */
export function parsePasswordHash(stored: string): ParsedHash | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !hash || rest.length > 0) return undefined;
  const log2N = Math.log2(Number(n));
  const params = { log2N, r: Number(r), p: Number(p) };
  if (!Number.isInteger(log2N) || log2N < 1 || log2N > MAX_STORED.log2N) return undefined;
  if (!Number.isInteger(params.r) || params.r < 1 || params.r > MAX_STORED.r) return undefined;
  if (!Number.isInteger(params.p) || params.p < 1 || params.p > MAX_STORED.p) return undefined;
  return { params, salt: Buffer.from(salt, "base64url"), hash: Buffer.from(hash, "base64url") };
}

function formatHash(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return ["scrypt", 2 ** params.log2N, params.r, params.p, salt.toString("base64url"), hash.toString("base64url")].join(
    "$",
  );
}

/** Whether a hash stored with `stored` should be replaced by one at `target` (never lowered). */
export function weakerThan(stored: ScryptParams, target: ScryptParams): boolean {
  return stored.log2N < target.log2N || stored.r < target.r || stored.p < target.p;
}

/** The sign-in is refused before any work because too many password hashes are already waiting. */
export class HasherBusyError extends HubError {
  constructor() {
    super("RESOURCE_EXHAUSTED", "too many sign-ins at once; try again in a moment", {
      retriable: true,
      retryAfterMs: 1000,
    });
  }
}

/**
 * Password hashing with a bound on memory: at most `concurrency` scrypt derivations run at once (each takes
 * 128·N·r bytes, 128 MiB at OWASP's cost) and at most `maxWaiting` wait for a turn; beyond that a sign-in is refused
 * at once (HasherBusyError) instead of queueing without limit. `onHash` counts every derivation, so a test (and an
 * operator) can see that a sign-in as an unknown user costs the same scrypt work as one as a known user.
 */
export class PasswordHasher {
  readonly params: ScryptParams;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly derive: Derive;
  private readonly dummy: string;

  constructor(
    private readonly options: {
      params?: ScryptParams;
      concurrency?: number;
      maxWaiting?: number;
      derive?: Derive;
      onHash?: (params: ScryptParams) => void;
    } = {},
  ) {
    this.params = options.params ?? OWASP_SCRYPT;
    this.derive = options.derive ?? scryptDerive;
    // Unknown users are checked against this: same parameters, random salt and hash that no password matches.
    this.dummy = formatHash(this.params, randomBytes(16), randomBytes(LENGTH));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return formatHash(this.params, salt, await this.run(password, salt, LENGTH, this.params));
  }

  /** Whether `password` matches `stored`, and whether `stored` should be replaced (weaker than the current cost). */
  async verify(password: string, stored: string): Promise<{ ok: boolean; rehash: boolean }> {
    const parsed = parsePasswordHash(stored);
    if (!parsed || parsed.hash.length < 16) {
      // Unreadable: still spend the same work, so the answer's timing tells nothing.
      await this.verify(password, this.dummy);
      return { ok: false, rehash: false };
    }
    const actual = await this.run(password, parsed.salt, parsed.hash.length, parsed.params);
    const ok = actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
    return { ok, rehash: ok && weakerThan(parsed.params, this.params) };
  }

  /** The work of a verification against a hash at the current cost, for a user that does not exist. */
  async verifyUnknown(password: string): Promise<void> {
    await this.verify(password, this.dummy);
  }

  private async run(password: string, salt: Buffer, length: number, params: ScryptParams): Promise<Buffer> {
    await this.acquire();
    try {
      this.options.onHash?.(params);
      return await this.derive(password, salt, length, params);
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < (this.options.concurrency ?? 2)) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= (this.options.maxWaiting ?? 64)) return Promise.reject(new HasherBusyError());
    // The slot is handed over by release(), so `running` stays counted.
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }
}

/** A hash at OWASP's cost, for tools that create users outside a running gateway (user:add, tests). */
export function hashPassword(password: string, params: ScryptParams = OWASP_SCRYPT): Promise<string> {
  return new PasswordHasher({ params }).hash(password);
}

/** Verifies without a limiter (tools and tests). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  return (await new PasswordHasher().verify(password, stored)).ok;
}
