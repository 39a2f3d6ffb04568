/**
 * Domain errors. Domain code throws these; only the edges (gRPC handlers, HTTP routes) map them to transport
 * status codes. `retriable` tells a caller whether the same request may succeed later (kafkajs does the same).
 */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "NOT_FOUND"
  | "FAILED_PRECONDITION"
  | "ALREADY_EXISTS"
  | "PERMISSION_DENIED"
  | "UNAUTHENTICATED"
  | "RESOURCE_EXHAUSTED"
  | "UNAVAILABLE"
  | "DEADLINE_EXCEEDED"
  | "ABORTED"
  | "INTERNAL";

export interface HubErrorOptions {
  /** Path of the offending field, e.g. "detection.box.left". */
  fieldPath?: string;
  retriable?: boolean;
  /**
   * When the same request may succeed: gRPC clients get it as "retry-after-ms" trailing metadata, HTTP clients as
   * `Retry-After` (whole seconds, rounded up).
   */
  retryAfterMs?: number;
  cause?: unknown;
}

export class HubError extends Error {
  readonly code: ErrorCode;
  readonly fieldPath: string | undefined;
  readonly retriable: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fieldPath = options.fieldPath;
    this.retriable = options.retriable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The same error one level deeper: "box.left" under "detection" becomes "detection.box.left". */
  under(prefix: string): HubError {
    return new HubError(this.code, this.message, {
      fieldPath: this.fieldPath ? `${prefix}.${this.fieldPath}` : prefix,
      retriable: this.retriable,
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      cause: this.cause,
    });
  }

  /** "field.path: message", the form shown to API clients. */
  describe(): string {
    return this.fieldPath ? `${this.fieldPath}: ${this.message}` : this.message;
  }
}

/** A field of a request is malformed or out of range. */
export class ValidationError extends HubError {
  constructor(fieldPath: string, message: string) {
    super("INVALID_ARGUMENT", message, { fieldPath });
  }
}

/** The caller acted on a version that is no longer current (optimistic concurrency); re-read and retry. */
export class ConflictError extends HubError {
  constructor(fieldPath: string, message: string) {
    super("ABORTED", message, { fieldPath, retriable: true });
  }
}

/** A referenced entity (camera, sensor, datastream) does not exist. */
export class NotFoundError extends HubError {
  constructor(fieldPath: string, message: string) {
    super("NOT_FOUND", message, { fieldPath });
  }
}

/** The request is well-formed but conflicts with the current state. */
export class PreconditionError extends HubError {
  constructor(fieldPath: string, message: string) {
    super("FAILED_PRECONDITION", message, { fieldPath });
  }
}

/** A size or count limit was exceeded. */
export class LimitExceededError extends HubError {
  constructor(fieldPath: string, message: string) {
    super("RESOURCE_EXHAUSTED", message, { fieldPath });
  }
}

/** A rate limit refused the request; the same request may succeed after `retryAfterMs`. */
export class RateLimitedError extends HubError {
  constructor(message: string, retryAfterMs: number) {
    super("RESOURCE_EXHAUSTED", message, { retriable: true, retryAfterMs });
  }
}

export class AuthenticationError extends HubError {
  constructor(message: string) {
    super("UNAUTHENTICATED", message);
  }
}

export class PermissionError extends HubError {
  constructor(message: string, fieldPath?: string) {
    super("PERMISSION_DENIED", message, fieldPath === undefined ? {} : { fieldPath });
  }
}

/** A dependency (Kafka, the database) cannot be reached right now; the caller should retry. */
export class UnavailableError extends HubError {
  constructor(message: string, cause?: unknown) {
    super("UNAVAILABLE", message, { retriable: true, cause });
  }
}

/** Configuration is missing or invalid. Thrown once at start-up, naming every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}
