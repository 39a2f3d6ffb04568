import { type CallOptions, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import {
  type ClientTlsFiles,
  CORRELATOR_MAX_MESSAGE_BYTES,
  channelCredentials,
  type ErrorCode,
  FIELD_PATH_METADATA,
  HubError,
  messageLimits,
} from "@hub/common";
import type { CaseArea, IncidentStatus as StatusName } from "@hub/contracts";
import {
  type Area,
  CaseAssistServiceClient,
  type DryRunRuleResponse,
  INCIDENT_STATUS_PROTO,
  IncidentServiceClient,
  RuleServiceClient,
} from "@hub/proto";

const codes: Partial<Record<number, ErrorCode>> = {
  [status.INVALID_ARGUMENT]: "INVALID_ARGUMENT",
  [status.NOT_FOUND]: "NOT_FOUND",
  [status.FAILED_PRECONDITION]: "FAILED_PRECONDITION",
  [status.ABORTED]: "ABORTED",
  [status.PERMISSION_DENIED]: "PERMISSION_DENIED",
  [status.UNAUTHENTICATED]: "UNAVAILABLE",
  [status.DEADLINE_EXCEEDED]: "UNAVAILABLE",
  [status.UNAVAILABLE]: "UNAVAILABLE",
};

/** The correlator's errors as domain errors (its authentication failing is our misconfiguration: unavailable). */
function hubError(error: ServiceError): HubError {
  const code = codes[error.code] ?? "INTERNAL";
  const field = error.metadata?.get(FIELD_PATH_METADATA)[0]?.toString();
  return new HubError(code, error.details || error.message, {
    retriable: code === "UNAVAILABLE" || code === "ABORTED",
    ...(field ? { fieldPath: field } : {}),
  });
}

/** Longer than the correlator's own bound on a dry run (20 s), so that its answer, not our deadline, ends one. */
const DRY_RUN_DEADLINE_MS = 40_000;

/**
 * The correlator's IncidentService and CaseAssistService, as promises. The correlator owns incidents: the gateway
 * asks it to change them, and shows the change when it comes back through Kafka.
 */
export class CorrelatorGateway {
  private readonly incidents: IncidentServiceClient;
  private readonly caseAssist: CaseAssistServiceClient;
  private readonly rules: RuleServiceClient;
  private readonly metadata = new Metadata();

  constructor(options: {
    address: string;
    token: string;
    timeoutMs?: number;
    /** TLS to the correlator (its CA), and the client certificate when it requires mutual TLS; plaintext without. */
    tls?: ClientTlsFiles;
    /** Largest message either way; the correlator's server uses the same constant. */
    maxMessageBytes?: number;
  }) {
    const credentials = channelCredentials(options.tls ?? {});
    const channelOptions = messageLimits(options.maxMessageBytes ?? CORRELATOR_MAX_MESSAGE_BYTES);
    this.incidents = new IncidentServiceClient(options.address, credentials, channelOptions);
    this.caseAssist = new CaseAssistServiceClient(options.address, credentials, channelOptions);
    this.rules = new RuleServiceClient(options.address, credentials, channelOptions);
    this.metadata.set("authorization", `Bearer ${options.token}`);
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  private readonly timeoutMs: number;

  acknowledge(id: string, actor: string, expectedVersion?: number) {
    return this.call<Parameters<IncidentServiceClient["acknowledgeIncident"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.acknowledgeIncident(request, this.metadata, this.options(), callback),
      { id, actor, expectedVersion: expectedVersion ?? 0 },
    );
  }

  resolve(id: string, actor: string, expectedVersion?: number) {
    return this.call<Parameters<IncidentServiceClient["resolveIncident"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.resolveIncident(request, this.metadata, this.options(), callback),
      { id, actor, expectedVersion: expectedVersion ?? 0 },
    );
  }

  transition(id: string, actor: string, to: StatusName, reason: string, expectedVersion?: number) {
    return this.call<Parameters<IncidentServiceClient["transitionIncident"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.transitionIncident(request, this.metadata, this.options(), callback),
      { id, actor, to: INCIDENT_STATUS_PROTO[to], reason, expectedVersion: expectedVersion ?? 0 },
    );
  }

  assign(
    id: string,
    actor: string,
    assignment: { operator: string | null; unit: string | null; cadReference: string | null },
    expectedVersion?: number,
  ) {
    return this.call<Parameters<IncidentServiceClient["assignIncident"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.assignIncident(request, this.metadata, this.options(), callback),
      {
        id,
        actor,
        operator: assignment.operator ?? "",
        unit: assignment.unit ?? "",
        cadReference: assignment.cadReference ?? "",
        expectedVersion: expectedVersion ?? 0,
      },
    );
  }

  addNote(id: string, actor: string, text: string) {
    return this.call<Parameters<IncidentServiceClient["addIncidentNote"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.addIncidentNote(request, this.metadata, this.options(), callback),
      { id, actor, text },
    );
  }

  setStep(id: string, actor: string, stepId: string, done: boolean) {
    return this.call<Parameters<IncidentServiceClient["setIncidentStep"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.setIncidentStep(request, this.metadata, this.options(), callback),
      { id, actor, stepId, done },
    );
  }

  merge(id: string, otherId: string, actor: string, expectedVersion?: number) {
    return this.call<Parameters<IncidentServiceClient["mergeIncidents"]>[0], { incident?: unknown }>(
      (request, callback) => this.incidents.mergeIncidents(request, this.metadata, this.options(), callback),
      { id, otherId, actor, expectedVersion: expectedVersion ?? 0 },
    );
  }

  /** A case-assist record for an incident: the cameras that covered its place and time. Returns the record id. */
  caseAssistForIncident(input: {
    incidentId: string;
    requestedBy: string;
    lat: number;
    lon: number;
    radiusM: number;
    from: Date;
    to: Date;
  }): Promise<string> {
    return this.createCaseAssist({
      area: { circle: { lat: input.lat, lon: input.lon, radiusM: input.radiusM } },
      from: input.from,
      to: input.to,
      requestedBy: input.requestedBy,
      incidentId: input.incidentId,
    });
  }

  /** Computes and stores a case-assist record (cameras, detections, plates, clips, incidents); returns its id. */
  async createCaseAssist(input: {
    area: CaseArea;
    from: Date;
    to: Date;
    requestedBy: string;
    caseReference?: string;
    incidentId?: string;
  }): Promise<string> {
    const area: Area =
      "circle" in input.area
        ? {
            shape: {
              $case: "circle",
              value: {
                center: { lat: input.area.circle.lat, lon: input.area.circle.lon },
                radiusM: input.area.circle.radiusM,
              },
            },
          }
        : { shape: { $case: "polygon", value: { ring: input.area.polygon.map(([lon, lat]) => ({ lat, lon })) } } };
    const response = await this.call<
      Parameters<CaseAssistServiceClient["createCaseAssistRecord"]>[0],
      { record?: { id: string } }
    >((request, callback) => this.caseAssist.createCaseAssistRecord(request, this.metadata, this.options(), callback), {
      windowStart: input.from,
      windowEnd: input.to,
      area,
      requestedBy: input.requestedBy,
      caseReference: input.caseReference ?? "",
      incidentId: input.incidentId ?? "",
    });
    if (!response.record) throw new HubError("INTERNAL", "correlator returned no record");
    return response.record.id;
  }

  close(): void {
    this.incidents.close();
    this.caseAssist.close();
    this.rules.close();
  }

  /** A rule version's dry run (issue 15); the correlator bounds it in events and time, the deadline here is longer. */
  dryRunRule(ruleId: string, version: number, hours: number): Promise<DryRunRuleResponse> {
    return this.call<Parameters<RuleServiceClient["dryRunRule"]>[0], DryRunRuleResponse>(
      (request, callback) =>
        this.rules.dryRunRule(request, this.metadata, { deadline: Date.now() + DRY_RUN_DEADLINE_MS }, callback),
      { ruleId, version, hours },
    );
  }

  private options(): CallOptions {
    return { deadline: Date.now() + this.timeoutMs };
  }

  private call<Req, Res>(
    invoke: (request: Req, callback: (error: ServiceError | null, response: Res) => void) => unknown,
    request: Req,
  ): Promise<Res> {
    return new Promise((resolve, reject) =>
      invoke(request, (error, response) => (error ? reject(hubError(error)) : resolve(response))),
    );
  }
}
