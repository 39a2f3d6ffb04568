import { type CallOptions, ChannelCredentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import {
  type Camera,
  CameraIngestServiceClient,
  type CameraStatus,
  type Detection,
  type PublishOutcome,
  type PublishSummary,
  type Sensor,
  SensorIngestServiceClient,
  type SensorReading,
} from "@hub/proto";

export interface IngestGatewayOptions {
  /** host:port of the ingest service. */
  address: string;
  /** PEM of the CA that signed the server certificate; plaintext when absent. */
  tlsCa?: Buffer;
  /** Client certificate and key (PEM), for servers that require mutual TLS. */
  tlsClientCert?: Buffer;
  tlsClientKey?: Buffer;
  /** Deadline of each call. */
  timeoutMs?: number;
}

/**
 * The only module that touches the generated gRPC clients: plain promise-returning functions over the public ingest
 * API, used by the simulator, the benchmarks and the tests exactly as an edge connector would use it.
 */
export class IngestGateway {
  private readonly cameras: CameraIngestServiceClient;
  private readonly sensors: SensorIngestServiceClient;
  private readonly timeoutMs: number;

  constructor(options: IngestGatewayOptions) {
    const credentials = options.tlsCa
      ? ChannelCredentials.createSsl(options.tlsCa, options.tlsClientKey ?? null, options.tlsClientCert ?? null)
      : ChannelCredentials.createInsecure();
    const channelOptions = { "grpc.max_send_message_length": 16 * 1024 * 1024 };
    this.cameras = new CameraIngestServiceClient(options.address, credentials, channelOptions);
    this.sensors = new SensorIngestServiceClient(options.address, credentials, channelOptions);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  registerCamera(token: string, camera: Camera): Promise<{ camera: Camera | undefined; created: boolean }> {
    return new Promise((resolve, reject) =>
      this.cameras.registerCamera({ camera }, auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  reportCameraStatus(token: string, status: CameraStatus): Promise<PublishOutcome> {
    return new Promise((resolve, reject) =>
      this.cameras.reportCameraStatus({ status }, auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(response.outcome),
      ),
    );
  }

  publishDetection(token: string, detection: Detection): Promise<PublishOutcome> {
    return new Promise((resolve, reject) =>
      this.cameras.publishDetection({ detection }, auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(response.outcome),
      ),
    );
  }

  /** Opens a stream, writes each batch as one stream message, ends it, and resolves with the summary. */
  streamDetections(token: string, batches: readonly Detection[][]): Promise<PublishSummary> {
    return new Promise((resolve, reject) => {
      const call = this.cameras.streamDetections(auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(summaryOf(response.summary)),
      );
      writeAll(
        call,
        batches.map((detections) => ({ detections })),
      );
    });
  }

  registerSensor(token: string, sensor: Sensor): Promise<{ sensor: Sensor | undefined; created: boolean }> {
    return new Promise((resolve, reject) =>
      this.sensors.registerSensor({ sensor }, auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  publishReading(token: string, reading: SensorReading): Promise<PublishOutcome> {
    return new Promise((resolve, reject) =>
      this.sensors.publishReading({ reading }, auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(response.outcome),
      ),
    );
  }

  streamReadings(token: string, batches: readonly SensorReading[][]): Promise<PublishSummary> {
    return new Promise((resolve, reject) => {
      const call = this.sensors.streamReadings(auth(token), this.callOptions(), (error, response) =>
        error ? reject(error) : resolve(summaryOf(response.summary)),
      );
      writeAll(
        call,
        batches.map((readings) => ({ readings })),
      );
    });
  }

  close(): void {
    this.cameras.close();
    this.sensors.close();
  }

  private callOptions(): CallOptions {
    return { deadline: Date.now() + this.timeoutMs };
  }
}

export type { ServiceError };

/**
 * Whether a failed call is worth repeating, as a real edge device would: the service is down or restarting
 * (UNAVAILABLE, which is also how grpc-js reports a refused connection) or did not answer in time
 * (DEADLINE_EXCEEDED). A refusal (bad token, invalid event) is not.
 */
export function isTransientIngestError(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED) return true;
  return code === "ECONNREFUSED" || (typeof message === "string" && message.includes("ECONNREFUSED"));
}

function auth(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}

function summaryOf(summary: PublishSummary | undefined): PublishSummary {
  return summary ?? { accepted: 0, duplicates: 0, rejected: 0, results: [], omittedResults: 0 };
}

/** Writes messages respecting flow control (waits for 'drain' when the stream's buffer is full), then ends. */
function writeAll<T>(
  call: { write(message: T): boolean; once(event: "drain", listener: () => void): unknown; end(): void },
  messages: T[],
): void {
  let index = 0;
  const pump = () => {
    while (index < messages.length) {
      const ok = call.write(messages[index] as T);
      index += 1;
      if (!ok) {
        call.once("drain", pump);
        return;
      }
    }
    call.end();
  };
  pump();
}
