import { readFileSync } from "node:fs";
import {
  ChannelCredentials,
  type ChannelOptions,
  type handleUnaryCall,
  Metadata,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { type HubError, isHubError, ValidationError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { ClientTlsFiles, ServerTlsFiles } from "./tls.js";

/**
 * The gRPC edge every service shares: decoding that never throws, authentication from metadata, and HubError →
 * gRPC status mapping with the field path. Handlers built from these behave the same in every service.
 */

/** What a method handler receives: the decoded request, or why the bytes could not be decoded. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * grpc-js answers undecodable bytes with INTERNAL and, in a stream, ends the stream. Decoding inside the handler
 * instead lets a malformed request get INVALID_ARGUMENT and a malformed stream message be rejected alone.
 */
export function tolerantDefinition(definition: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(
    Object.entries(definition).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer): Decoded<unknown> => {
          try {
            return { ok: true, value: method.requestDeserialize(bytes) };
          } catch (error) {
            return { ok: false, error: error instanceof Error ? error.message : String(error) };
          }
        },
      },
    ]),
  ) as ServiceDefinition;
}

const grpcCode: Record<HubError["code"], status> = {
  ABORTED: status.ABORTED,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  INTERNAL: status.INTERNAL,
};

/** Trailing metadata key carrying the offending field's path, for clients that act on it. */
export const FIELD_PATH_METADATA = "hub-field-path";

/**
 * Trailing metadata keys of a refusal that may succeed later (HubError.retryAfterMs): milliseconds to wait before
 * retrying. "grpc-retry-pushback-ms" is the key gRPC's own retry policy honours; "retry-after-ms" is for clients
 * that retry themselves.
 */
export const RETRY_AFTER_METADATA = "retry-after-ms";
export const RETRY_PUSHBACK_METADATA = "grpc-retry-pushback-ms";

export function toServiceError(error: unknown, logger: Logger): Partial<ServiceError> {
  if (!isHubError(error)) {
    logger.error({ err: error }, "unexpected error in gRPC handler");
    return { code: status.INTERNAL, details: "internal error" };
  }
  const metadata = new Metadata();
  if (error.fieldPath) metadata.set(FIELD_PATH_METADATA, error.fieldPath);
  if (error.retryAfterMs !== undefined) {
    const wait = String(Math.max(0, Math.ceil(error.retryAfterMs)));
    metadata.set(RETRY_AFTER_METADATA, wait);
    metadata.set(RETRY_PUSHBACK_METADATA, wait);
  }
  return { code: grpcCode[error.code], details: error.describe(), metadata };
}

export interface GrpcContext<P> {
  authenticate: (authorization: string | undefined) => Promise<P>;
  logger: Logger;
  /** Called once per finished call, for metrics. */
  onCall: (method: string, code: status) => void;
}

export function authorizationOf(call: { metadata: Metadata }): string | undefined {
  const value = call.metadata.get("authorization")[0];
  return typeof value === "string" ? value : undefined;
}

export function malformed(reason: string): HubError {
  return new ValidationError("request", `malformed protobuf message: ${reason}`);
}

/** A unary method: authenticate, decode, run; HubErrors become statuses with the field path. */
export function unary<Req, Res, P>(
  method: string,
  context: GrpcContext<P>,
  run: (request: Req, principal: P) => Promise<Res>,
): handleUnaryCall<Decoded<Req>, Res> {
  return (call, callback) => {
    const work = async () => {
      const principal = await context.authenticate(authorizationOf(call));
      if (!call.request.ok) throw malformed(call.request.error);
      return run(call.request.value, principal);
    };
    work().then(
      (response) => {
        context.onCall(method, status.OK);
        callback(null, response);
      },
      (error: unknown) => {
        const serviceError = toServiceError(error, context.logger);
        context.onCall(method, serviceError.code ?? status.INTERNAL);
        callback(serviceError as ServiceError);
      },
    );
  };
}

/** The credentials of a gRPC listener: TLS when a certificate and key are given, client certificates with a CA. */
export function serverCredentials(
  files: ServerTlsFiles,
  read: (file: string) => Buffer = readFileSync,
): ServerCredentials {
  if (!files.certFile || !files.keyFile) return ServerCredentials.createInsecure();
  const ca = files.clientCaFile ? read(files.clientCaFile) : null;
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: read(files.certFile), private_key: read(files.keyFile) }],
    ca !== null,
  );
}

/** A gRPC client's credentials: plaintext without a CA; TLS with it, and the client certificate if given. */
export function channelCredentials(
  files: ClientTlsFiles,
  read: (file: string) => Buffer = readFileSync,
): ChannelCredentials {
  if (!files.caFile) return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(
    read(files.caFile),
    files.keyFile ? read(files.keyFile) : null,
    files.certFile ? read(files.certFile) : null,
  );
}

/**
 * The largest gRPC message between the gateway and the correlator, either way: a case-assist record at the
 * correlator's limits (services/correlator/src/services/case-assist.service.ts, whose test checks that a maximal
 * record fits). The correlator's server and the gateway's client are both configured with it (`messageLimits`), so
 * a record the correlator can send the gateway can receive, and nothing larger crosses.
 */
export const CORRELATOR_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** gRPC channel/server options that limit messages to `bytes` in both directions. */
export function messageLimits(bytes: number): ChannelOptions {
  return { "grpc.max_receive_message_length": bytes, "grpc.max_send_message_length": bytes };
}
