import {
  type handleClientStreamingCall,
  Metadata,
  type ServerReadableStream,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import {
  authorizationOf,
  type Decoded,
  type GrpcContext,
  isHubError,
  LimitExceededError,
  malformed,
  RateLimitedError,
  toServiceError,
} from "@hub/common";
import { type PublishError, PublishOutcome, type PublishSummary } from "@hub/proto";
import type { DevicePrincipal } from "../repositories/registry.repository.js";
import { PublishSummaryBuilder } from "../services/publish-summary.js";
import type { Admission } from "../services/site-rate-limiter.js";

/** The ingest side of the gRPC edge: the client-streaming publish loop (the generic parts are in @hub/common). */

export type HandlerContext = GrpcContext<DevicePrincipal>;

/** Which limit refused a call, for the rejection counter. */
export type RefusalLimit = "site_rate" | "stream_events";

/** What every publishing call shares: the per-site rate limit and the counter of what the limits refused. */
export interface IngestLimits {
  maxBatch: number;
  maxEvents: number;
  /** Summary entries kept per stream (see PublishSummaryBuilder). */
  maxResults: number;
  /** Above this many unacknowledged events the stream is paused (flow control reaches the client). */
  highWaterMark: number;
  admit: (principal: DevicePrincipal, events: number) => Admission;
  onRefused: (method: string, limit: RefusalLimit) => void;
}

/** Trailing metadata of a stream ended by a limit: how many of its events were handled, and how. */
export const STREAM_COUNT_METADATA = {
  handled: "hub-handled",
  accepted: "hub-accepted",
  duplicates: "hub-duplicates",
  rejected: "hub-rejected",
} as const;

export function toPublishError(error: unknown): PublishError {
  if (isHubError(error)) return { code: error.code, fieldPath: error.fieldPath ?? "", message: error.message };
  return { code: "INTERNAL", fieldPath: "", message: "internal error" };
}

function rateLimited(admission: Admission & { ok: false }): RateLimitedError {
  return new RateLimitedError(
    `this site is publishing faster than its rate limit; retry in ${admission.retryAfterMs} ms`,
    admission.retryAfterMs,
  );
}

/** For unary calls: one event's worth of the site's rate, or RESOURCE_EXHAUSTED with a retry hint. */
export function admitOne(limits: IngestLimits, method: string, principal: DevicePrincipal): void {
  const admission = limits.admit(principal, 1);
  if (admission.ok) return;
  limits.onRefused(method, "site_rate");
  throw rateLimited(admission);
}

export interface StreamOptions<Req, Item> {
  method: string;
  context: HandlerContext;
  limits: IngestLimits;
  /** The events inside one stream message. */
  items: (request: Req) => Item[];
  eventId: (item: Item) => string;
  publish: (principal: DevicePrincipal, item: Item) => Promise<PublishOutcome>;
}

type Finish = (error: unknown, summary?: PublishSummary, trailers?: Metadata) => void;

/**
 * A client-streaming publish. Each event is handled on its own: a bad one is rejected alone and the stream goes
 * on. The reply, sent after every accepted event is in Kafka, summarises each event's outcome in order.
 *
 * Bounded whatever the client sends: reading pauses while `highWaterMark` publishes are in flight; the summary
 * keeps at most `maxResults` entries; and the stream ends with RESOURCE_EXHAUSTED, without reading further, at the
 * message that would take it past `maxEvents` or past the site's rate limit. The events before that message are
 * handled (in Kafka when accepted) before the status is sent; trailing metadata counts them.
 */
export function clientStream<Req, Item>(
  options: StreamOptions<Req, Item>,
): handleClientStreamingCall<Decoded<Req>, { summary: PublishSummary }> {
  return (call, callback) => {
    const finish: Finish = (error, summary, trailers) => {
      if (summary) {
        options.context.onCall(options.method, status.OK);
        callback(null, { summary });
        return;
      }
      const serviceError = toServiceError(error, options.context.logger);
      if (trailers) serviceError.metadata?.merge(trailers);
      options.context.onCall(options.method, serviceError.code ?? status.INTERNAL);
      callback(serviceError as ServiceError);
    };
    options.context.authenticate(authorizationOf(call)).then(
      (principal) => consume(call, principal, options, finish),
      (error: unknown) => finish(error),
    );
  };
}

function consume<Req, Item>(
  call: ServerReadableStream<Decoded<Req>, { summary: PublishSummary }>,
  principal: DevicePrincipal,
  options: StreamOptions<Req, Item>,
  finish: Finish,
): void {
  const { limits } = options;
  const summary = new PublishSummaryBuilder(limits.maxResults);
  let pending = 0;
  let ended = false;
  let paused = false;
  let stopped: { error: unknown } | undefined;
  let finished = false;

  const done = () => {
    if (finished || pending > 0 || !(ended || stopped)) return;
    finished = true;
    if (!stopped) {
      finish(undefined, summary.summary());
      return;
    }
    const trailers = new Metadata();
    for (const [name, key] of Object.entries(STREAM_COUNT_METADATA)) {
      trailers.set(key, String(summary.counts()[name as keyof typeof STREAM_COUNT_METADATA]));
    }
    finish(stopped.error, undefined, trailers);
  };
  /** Stops reading for good (nothing more is buffered or decoded); the status goes once in-flight events settle. */
  const stop = (error: unknown, limit: RefusalLimit) => {
    stopped = { error };
    limits.onRefused(options.method, limit);
    call.removeListener("data", onData);
    call.pause();
    done();
  };
  const settle = () => {
    pending -= 1;
    if (paused && !stopped && pending < limits.highWaterMark / 2) {
      paused = false;
      call.resume();
    }
    done();
  };
  const reject = (index: number, eventId: string, error: unknown) =>
    summary.settle({ index, eventId, outcome: PublishOutcome.PUBLISH_OUTCOME_REJECTED, error: toPublishError(error) });

  const onData = (message: Decoded<Req>) => {
    if (stopped) return;
    const items = message.ok ? options.items(message.value) : [];
    const events = Math.max(items.length, 1);
    const received = summary.eventsReceived;
    if (received + events > limits.maxEvents) {
      stop(
        new LimitExceededError(
          "",
          `a stream may carry at most ${limits.maxEvents} events; the first ${received} were handled, ` +
            "send the rest on a new stream",
        ),
        "stream_events",
      );
      return;
    }
    const admission = limits.admit(principal, events);
    if (!admission.ok) {
      stop(rateLimited(admission), "site_rate");
      return;
    }
    if (!message.ok) {
      reject(summary.received(), "", malformed(message.error));
      return;
    }
    const tooMany =
      items.length > limits.maxBatch
        ? new LimitExceededError("", `a stream message may hold at most ${limits.maxBatch} events, got ${items.length}`)
        : undefined;
    for (const item of items) {
      const index = summary.received();
      const eventId = options.eventId(item);
      if (tooMany) {
        reject(index, eventId, tooMany);
        continue;
      }
      pending += 1;
      options.publish(principal, item).then(
        (outcome) => {
          summary.settle({ index, eventId, outcome, error: undefined });
          settle();
        },
        (error: unknown) => {
          reject(index, eventId, error);
          settle();
        },
      );
    }
    if (!paused && pending >= limits.highWaterMark) {
      paused = true;
      call.pause();
    }
  };

  call.on("data", onData);
  call.on("end", () => {
    ended = true;
    done();
  });
  call.on("error", (error) => options.context.logger.debug({ err: error }, "publish stream failed"));
}
