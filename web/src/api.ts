import type {
  AlertContent,
  AlertSummary,
  AlertTemplate,
  ChannelDeliverySummary,
  CreateMessageRequest,
  DecisionRequest,
  District,
  EditMessageRequest,
  MessageStatus,
  MessageView,
  PrefillQuery,
  SensorDetail,
  SensorSummary,
} from "@hub/contracts";
import {
  ALERTING_API,
  API,
  type AreaName,
  type AuditEntryView,
  type CameraDetail,
  type CameraList,
  type CameraListQuery,
  type CaseSearchRequest,
  type CaseSearchResult,
  type ClientConfig,
  type DecommissionRequest,
  type DecommissionView,
  type ExportJob,
  type ExportRequest,
  type IncidentActionRequest,
  type IncidentAssignmentRequest,
  type IncidentDetail,
  type IncidentHistoryPage,
  type IncidentHistoryQuery,
  type IncidentMergeRequest,
  type IncidentTransitionRequest,
  type IncidentView,
  type IncidentWorkflow,
  type LoginRequest,
  type LoginResponse,
  type MaintenanceWindowRequest,
  type MaintenanceWindowView,
  type PartnerImportStatus,
  type PartnerImportView,
  type Problem,
  type ProposeRuleVersionRequest,
  type RuleDryRun,
  type RuleHistory,
  type RulesView,
  type RuleVersionView,
  type Snapshot,
  type VideoClip,
  type VideoClipRequest,
} from "@hub/contracts";
import type { RefreshOutcome } from "./tokens";
import { type WatchListClient, watchListClient } from "./watch-list-api";

/** A failed REST call, with the gateway's problem document (or one made up from the response). */
export class ApiError extends Error {
  readonly problem: Problem;
  constructor(problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
    this.name = "ApiError";
    this.problem = problem;
  }
  get status(): number {
    return this.problem.status;
  }
}

/** What to show for any error: the problem's detail when the gateway sent one. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof ApiError) return { title: error.problem.title, detail: error.problem.detail };
  if (error instanceof Error) return { title: error.name, detail: error.message };
  return { title: "Error", detail: String(error) };
}

export interface ApiClient {
  config(): Promise<ClientConfig>;
  login(request: LoginRequest): Promise<LoginResponse>;
  /** New tokens for a (single-use) refresh token; a 401 means the session is over. */
  refresh(refreshToken: string): Promise<LoginResponse>;
  /** Ends the session on the server (every socket of it is disconnected). */
  logout(): Promise<void>;
  snapshot(area: AreaName): Promise<Snapshot>;
  camera(id: string): Promise<CameraDetail>;
  /** The camera list with availability: one page for the filters. */
  cameraList(filters: CameraListQuery): Promise<CameraList>;
  /** Puts a camera or a district under maintenance (supervisor, administrator). */
  createMaintenance(request: MaintenanceWindowRequest): Promise<MaintenanceWindowView>;
  /** Decommissions a camera for good, its history kept (supervisor, administrator). */
  decommissionCamera(cameraId: string, request: DecommissionRequest): Promise<DecommissionView>;
  incident(id: string): Promise<IncidentDetail>;
  acknowledge(id: string, request: IncidentActionRequest): Promise<{ incident: IncidentView }>;
  resolve(id: string, request: IncidentActionRequest): Promise<{ incident: IncidentView }>;
  /** Assignment, procedure checklist and timeline of an incident. */
  incidentWorkflow(id: string): Promise<IncidentWorkflow>;
  transition(id: string, request: IncidentTransitionRequest): Promise<{ incident: IncidentView }>;
  assign(id: string, request: IncidentAssignmentRequest): Promise<{ incident: IncidentView }>;
  addNote(id: string, text: string): Promise<{ incident: IncidentView }>;
  setStep(id: string, stepId: string, done: boolean): Promise<{ incident: IncidentView }>;
  merge(id: string, request: IncidentMergeRequest): Promise<{ incident: IncidentView }>;
  /** A case lookup: its first page. */
  caseSearch(request: CaseSearchRequest): Promise<CaseSearchResult>;
  /** Another page of a stored lookup; every view names its purpose (audited). */
  caseRecord(recordId: string, query: { purpose: string; cursor?: string | null }): Promise<CaseSearchResult>;
  startExport(recordId: string, request: ExportRequest): Promise<ExportJob>;
  exportJob(id: string): Promise<ExportJob>;
  /** The export's zip, with the file name the gateway suggests (Content-Disposition), if any. */
  downloadExport(id: string): Promise<{ blob: Blob; fileName: string | null }>;
  /** Opens a clip around an evidence time (audited; VIDEO_ROLES). */
  openClip(request: VideoClipRequest): Promise<VideoClip>;
  /** A still or a snapshot the gateway serves (audited): `path` from API.detectionSnapshot or VideoClip.frames. */
  videoImage(path: string): Promise<Blob>;
  /** Newest first; `before` an entry id for the page after it. */
  audit(query?: { limit?: number; before?: number | null }): Promise<AuditEntryView[]>;
  /** Closed incidents, newest first; the query as the route takes it (IncidentHistoryQuery). */
  incidentHistory(query: IncidentHistoryQuery): Promise<IncidentHistoryPage>;
  /** The correlation rules with their false alarms (supervisor, administrator). */
  rules(): Promise<RulesView>;
  /** A rule's versions, newest first (supervisor, administrator). */
  ruleHistory(id: string): Promise<RuleHistory>;
  /** Proposes a version; another person approves or rejects it (audited). */
  proposeRuleVersion(id: string, request: ProposeRuleVersionRequest): Promise<RuleVersionView>;
  decideRuleVersion(id: string, version: number, decision: "approve" | "reject"): Promise<RuleVersionView>;
  /** Runs a version over the stored events of the last `hours`, beside what the rule opened then (nothing written). */
  dryRunRuleVersion(id: string, version: number, hours: number): Promise<RuleDryRun>;
  /** The sensors with their health (SENSOR_ROLES). */
  sensors(): Promise<SensorSummary[]>;
  /** A sensor's latest readings and last 24 hours (SENSOR_ROLES). */
  sensor(id: string): Promise<SensorDetail>;
  /** The civil-protection alerts' authoring API (proxied by the gateway). */
  alerting: AlertingClient;
  /** The plate watch list (investigators, supervisors). */
  watchList: WatchListClient;
}

/** The decisions on a message; each sends the revision the user saw (a stale one is refused with 409). */
export const MESSAGE_DECISIONS = ["submit", "approve", "reject", "withdraw"] as const;
export type MessageDecision = (typeof MESSAGE_DECISIONS)[number];

/** An edit replaces the message's content as a whole. */
export const EDIT_MESSAGE_METHOD = "PUT";

export interface AlertingClient {
  templates(): Promise<AlertTemplate[]>;
  districts(): Promise<District[]>;
  prefill(query: PrefillQuery): Promise<AlertContent>;
  messages(query?: { status?: MessageStatus }): Promise<MessageView[]>;
  message(id: string): Promise<MessageView>;
  create(request: CreateMessageRequest): Promise<MessageView>;
  edit(id: string, request: EditMessageRequest): Promise<MessageView>;
  /** The message as it is after the decision, when the service sends it back (else null: load it again). */
  decide(id: string, decision: MessageDecision, request: DecisionRequest): Promise<MessageView | null>;
  /** The CAP XML: the published document, or a preview of a draft. */
  cap(id: string): Promise<string>;
  deliveries(id: string): Promise<ChannelDeliverySummary[]>;
  /** Newest first. */
  alerts(): Promise<AlertSummary[]>;
  /** Warnings read from partner feeds, newest first: refused and not drafted ones unless `status` says otherwise. */
  partnerImports(query?: { status?: PartnerImportStatus }): Promise<PartnerImportView[]>;
}

/** The file name in a Content-Disposition header (filename* first, then filename), or null. */
export function fileNameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition)?.[1];
  if (extended) {
    try {
      return decodeURIComponent(extended.trim());
    } catch {
      // Badly encoded: try the plain one.
    }
  }
  const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/.exec(disposition);
  const name = (plain?.[2] ?? plain?.[1])?.trim();
  return name ? name : null;
}

/** A query string from the defined values only ("" when there are none). */
function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

export interface ApiOptions {
  /** The bearer token for signed-in calls, or where to read the current one (it is replaced every few minutes). */
  token?: string | null | (() => string | null);
  /**
   * Gets a new access token after a 401 (the call is then sent once more); "ended" when the session is over (the
   * refresher has then signed out already), "failed" when the gateway could not be asked.
   */
  refresh?: () => Promise<RefreshOutcome>;
  /** Called on a 401 from a signed-in call that a refresh does not cure: the session is no longer good. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

async function problemOf(response: Response): Promise<Problem> {
  const fallback: Problem = {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    detail: "",
  };
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as Partial<Problem>;
      return {
        ...fallback,
        ...body,
        status: typeof body.status === "number" ? body.status : response.status,
        detail: typeof body.detail === "string" ? body.detail : text,
      };
    } catch {
      return { ...fallback, detail: text.slice(0, 300) };
    }
  } catch {
    return fallback;
  }
}

/** The gateway's REST API, same origin. The only module that calls `fetch`. */
export function createApi(options: ApiOptions = {}): ApiClient {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function send(
    path: string,
    init: { method?: string; body?: unknown; signedIn?: boolean; accept?: string } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: init.accept ?? "application/json" };
    if (init.body !== undefined) headers["content-type"] = "application/json";
    const signedIn = init.signedIn ?? true;
    const body = init.body === undefined ? undefined : JSON.stringify(init.body);
    const attempt = () => {
      const token = typeof options.token === "function" ? options.token() : options.token;
      if (signedIn && token) headers.authorization = `Bearer ${token}`;
      return doFetch(path, { method: init.method ?? "GET", headers, body });
    };
    let response = await attempt();
    if (response.status === 401 && signedIn && options.refresh) {
      // Most likely the access token just expired: refresh it and send the call once more.
      const outcome = await options.refresh();
      if (outcome === "refreshed") response = await attempt();
      else throw new ApiError(await problemOf(response));
    }
    if (!response.ok) {
      const problem = await problemOf(response);
      if (response.status === 401 && signedIn) options.onUnauthorized?.();
      throw new ApiError(problem);
    }
    return response;
  }

  async function call<T>(path: string, init: { method?: string; body?: unknown; signedIn?: boolean } = {}): Promise<T> {
    return (await (await send(path, init)).json()) as T;
  }

  /** The JSON body, or null when there is none (204, or an empty 200). */
  async function callOrNull<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T | null> {
    const text = await (await send(path, init)).text();
    return text.trim() === "" ? null : (JSON.parse(text) as T);
  }

  const decisionPath: Record<MessageDecision, (id: string) => string> = {
    submit: ALERTING_API.submit,
    approve: ALERTING_API.approve,
    reject: ALERTING_API.reject,
    withdraw: ALERTING_API.withdraw,
  };

  const alerting: AlertingClient = {
    templates: () => call<AlertTemplate[]>(ALERTING_API.templates),
    districts: () => call<District[]>(ALERTING_API.districts),
    prefill: ({ templateId, incidentId }) =>
      call<AlertContent>(`${ALERTING_API.prefill}${query({ templateId, incidentId })}`),
    messages: ({ status } = {}) => call<MessageView[]>(`${ALERTING_API.messages}${query({ status })}`),
    message: (id) => call<MessageView>(ALERTING_API.message(id)),
    create: (request) => call<MessageView>(ALERTING_API.messages, { method: "POST", body: request }),
    edit: (id, request) => call<MessageView>(ALERTING_API.message(id), { method: EDIT_MESSAGE_METHOD, body: request }),
    decide: (id, decision, request) =>
      callOrNull<MessageView>(decisionPath[decision](id), { method: "POST", body: request }),
    cap: async (id) =>
      (await send(ALERTING_API.messageCap(id), { accept: "application/cap+xml, application/xml, text/xml" })).text(),
    deliveries: (id) => call<ChannelDeliverySummary[]>(ALERTING_API.deliveries(id)),
    alerts: () => call<AlertSummary[]>(ALERTING_API.alerts),
    partnerImports: ({ status } = {}) =>
      call<PartnerImportView[]>(`${ALERTING_API.partnerImports}${query({ status })}`),
  };

  return {
    config: () => call<ClientConfig>(API.config, { signedIn: false }),
    login: (request) => call<LoginResponse>(API.login, { method: "POST", body: request, signedIn: false }),
    refresh: (refreshToken) =>
      call<LoginResponse>(API.refresh, { method: "POST", body: { refreshToken }, signedIn: false }),
    logout: async () => {
      await send(API.logout, { method: "POST" });
    },
    snapshot: (area) => call<Snapshot>(`${API.snapshot}?area=${encodeURIComponent(area)}`),
    camera: (id) => call<CameraDetail>(API.camera(id)),
    cameraList: (filters) => call<CameraList>(`${API.cameraHealth}${query({ ...filters })}`),
    createMaintenance: (request) =>
      call<MaintenanceWindowView>(API.maintenanceWindows, { method: "POST", body: request }),
    decommissionCamera: (cameraId, request) =>
      call<DecommissionView>(API.decommissionCamera(cameraId), { method: "POST", body: request }),
    incident: (id) => call<IncidentDetail>(API.incident(id)),
    acknowledge: (id, request) => call(API.acknowledge(id), { method: "POST", body: request }),
    resolve: (id, request) => call(API.resolve(id), { method: "POST", body: request }),
    incidentWorkflow: (id) => call<IncidentWorkflow>(API.incidentWorkflow(id)),
    transition: (id, request) => call(API.incidentTransitions(id), { method: "POST", body: request }),
    assign: (id, request) => call(API.incidentAssignment(id), { method: "PUT", body: request }),
    addNote: (id, text) => call(API.incidentNotes(id), { method: "POST", body: { text } }),
    setStep: (id, stepId, done) => call(API.incidentStep(id, stepId), { method: "PUT", body: { done } }),
    merge: (id, request) => call(API.incidentMerge(id), { method: "POST", body: request }),
    caseSearch: (request) => call<CaseSearchResult>(API.caseSearch, { method: "POST", body: request }),
    caseRecord: (recordId, { purpose, cursor }) =>
      call<CaseSearchResult>(`${API.caseRecord(recordId)}${query({ purpose, cursor })}`),
    startExport: (recordId, request) => call<ExportJob>(API.caseExports(recordId), { method: "POST", body: request }),
    exportJob: (id) => call<ExportJob>(API.exportJob(id)),
    downloadExport: async (id) => {
      const response = await send(API.exportDownload(id), { accept: "application/zip, application/octet-stream" });
      return { blob: await response.blob(), fileName: fileNameOf(response.headers.get("content-disposition")) };
    },
    openClip: (request) => call<VideoClip>(API.videoClips, { method: "POST", body: request }),
    videoImage: async (path) => (await send(path, { accept: "image/*" })).blob(),
    audit: ({ limit, before } = {}) => call<AuditEntryView[]>(`${API.audit}${query({ limit, before })}`),
    incidentHistory: (history) =>
      call<IncidentHistoryPage>(
        `${API.incidentHistory}${query(history as Record<string, string | number | undefined>)}`,
      ),
    rules: () => call<RulesView>(API.rules),
    ruleHistory: (id) => call<RuleHistory>(API.ruleVersions(id)),
    proposeRuleVersion: (id, request) => call<RuleVersionView>(API.ruleVersions(id), { method: "POST", body: request }),
    decideRuleVersion: (id, version, decision) =>
      call<RuleVersionView>(
        decision === "approve" ? API.approveRuleVersion(id, version) : API.rejectRuleVersion(id, version),
        { method: "POST", body: {} },
      ),
    dryRunRuleVersion: (id, version, hours) =>
      call<RuleDryRun>(API.dryRunRuleVersion(id, version), { method: "POST", body: { hours } }),
    sensors: () => call<SensorSummary[]>(API.sensors),
    sensor: (id) => call<SensorDetail>(API.sensor(id)),
    alerting,
    watchList: watchListClient(call),
  };
}
