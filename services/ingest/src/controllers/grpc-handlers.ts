import { type handleClientStreamingCall, type ServerReadableStream, type ServiceError, status } from "@grpc/grpc-js";
import {
  authorizationOf,
  type Decoded,
  type GrpcContext,
  isHubError,
  LimitExceededError,
  malformed,
  toServiceError,
} from "@hub/common";
import { type PublishError, PublishOutcome, type PublishResult, type PublishSummary } from "@hub/proto";
import type { DevicePrincipal } from "../repositories/registry.repository.js";

/** The ingest side of the gRPC edge: the client-streaming publish loop (the generic parts are in @hub/common). */

export type HandlerContext = GrpcContext<DevicePrincipal>;

export function toPublishError(error: unknown): PublishError {
  if (isHubError(error)) return { code: error.code, fieldPath: error.fieldPath ?? "", message: error.message };
  return { code: "INTERNAL", fieldPath: "", message: "internal error" };
}

export interface StreamOptions<Req, Item> {
  method: string;
  context: HandlerContext;
  /** The events inside one stream message. */
  items: (request: Req) => Item[];
  eventId: (item: Item) => string;
  publish: (principal: DevicePrincipal, item: Item) => Promise<PublishOutcome>;
  maxBatch: number;
  maxEvents: number;
  /** Above this many unacknowledged events the stream is paused (flow control reaches the client). */
  highWaterMark?: number;
}

/**
 * A client-streaming publish. Each event is handled on its own: a bad one is rejected alone and the stream goes
 * on. The reply, sent after every accepted event is in Kafka, lists each event's outcome in order.
 */
export function clientStream<Req, Item>(
  options: StreamOptions<Req, Item>,
): handleClientStreamingCall<Decoded<Req>, { summary: PublishSummary }> {
  const highWater = options.highWaterMark ?? 5000;
  return (call, callback) => {
    const finish = (error: unknown, summary?: PublishSummary) => {
      if (summary) {
        options.context.onCall(options.method, status.OK);
        callback(null, { summary });
        return;
      }
      const serviceError = toServiceError(error, options.context.logger);
      options.context.onCall(options.method, serviceError.code ?? status.INTERNAL);
      callback(serviceError as ServiceError);
    };
    options.context.authenticate(authorizationOf(call)).then(
      (principal) => consume(call, principal, options, highWater, finish),
      (error: unknown) => finish(error),
    );
  };
}

function consume<Req, Item>(
  call: ServerReadableStream<Decoded<Req>, { summary: PublishSummary }>,
  principal: DevicePrincipal,
  options: StreamOptions<Req, Item>,
  highWater: number,
  finish: (error: unknown, summary?: PublishSummary) => void,
): void {
  const results: PublishResult[] = [];
  let pending = 0;
  let ended = false;
  let paused = false;

  const settle = () => {
    pending -= 1;
    if (paused && pending < highWater / 2) {
      paused = false;
      call.resume();
    }
    if (ended && pending === 0) finish(undefined, summarise(results));
  };
  const reject = (index: number, eventId: string, error: unknown) => {
    results[index] = { index, eventId, outcome: PublishOutcome.PUBLISH_OUTCOME_REJECTED, error: toPublishError(error) };
  };

  call.on("data", (message: Decoded<Req>) => {
    if (!message.ok) {
      reject(results.length, "", malformed(message.error));
      return;
    }
    const items = options.items(message.value);
    const tooMany =
      items.length > options.maxBatch
        ? new LimitExceededError(
            "",
            `a stream message may hold at most ${options.maxBatch} events, got ${items.length}`,
          )
        : undefined;
    for (const item of items) {
      const index = results.length;
      const eventId = options.eventId(item);
      results.push({ index, eventId, outcome: PublishOutcome.PUBLISH_OUTCOME_UNSPECIFIED, error: undefined });
      if (tooMany) {
        reject(index, eventId, tooMany);
        continue;
      }
      if (index >= options.maxEvents) {
        reject(
          index,
          eventId,
          new LimitExceededError("", `a stream may carry at most ${options.maxEvents} events; open a new one`),
        );
        continue;
      }
      pending += 1;
      options.publish(principal, item).then(
        (outcome) => {
          results[index] = { index, eventId, outcome, error: undefined };
          settle();
        },
        (error: unknown) => {
          reject(index, eventId, error);
          settle();
        },
      );
    }
    if (!paused && pending >= highWater) {
      paused = true;
      call.pause();
    }
  });
  call.on("end", () => {
    ended = true;
    if (pending === 0) finish(undefined, summarise(results));
  });
  call.on("error", (error) => options.context.logger.debug({ err: error }, "publish stream failed"));
}

function summarise(results: PublishResult[]): PublishSummary {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const result of results) {
    if (result.outcome === PublishOutcome.PUBLISH_OUTCOME_ACCEPTED) accepted += 1;
    else if (result.outcome === PublishOutcome.PUBLISH_OUTCOME_DUPLICATE) duplicates += 1;
    else rejected += 1;
  }
  return { accepted, duplicates, rejected, results };
}
