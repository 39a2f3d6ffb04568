import { isUuid, type Logger, NotFoundError, parseInput, ValidationError } from "@hub/common";
import {
  type AlertView,
  type AreaName,
  type CameraView,
  CITY,
  type IncidentDetail,
  type IncidentView,
  incidentActionRequestSchema,
  type Snapshot,
} from "@hub/contracts";
import type { CorrelatorGateway } from "../gateways/correlator.gateway.js";
import type { AuditRepository } from "../repositories/audit.repository.js";
import type { ViewsRepository } from "../repositories/views.repository.js";
import { AuthService, type Principal } from "./auth.service.js";
import type { LiveHub } from "./live.service.js";

/** Minutes before and after an incident's evidence that its case-assist record covers. */
const CASE_ASSIST_MARGIN_MS = 5 * 60 * 1000;
const CASE_ASSIST_RADIUS_M = 150;

/** What the dashboard's REST calls do: snapshots, details, and incident actions (through the correlator). */
export class DashboardService {
  private districts = new Set<string>();

  constructor(
    private readonly deps: {
      views: ViewsRepository;
      live: LiveHub;
      correlator: CorrelatorGateway;
      audit: AuditRepository;
      logger: Logger;
    },
  ) {}

  /** Loads (and later refreshes) the registry into the live hub. */
  async refreshRegistry(): Promise<void> {
    const cameras = await this.deps.views.cameras();
    this.deps.live.loadCameras(cameras);
    this.districts = new Set(cameras.map((camera) => camera.district));
  }

  knownDistricts(): ReadonlySet<string> {
    return this.districts;
  }

  async snapshot(area: unknown): Promise<Snapshot> {
    const name = this.area(area);
    const [incidents, sensors] = await Promise.all([
      this.deps.views.openIncidents(),
      this.deps.views.sensorReadings(name === CITY ? undefined : name),
    ]);
    return {
      area: name,
      takenAt: new Date().toISOString(),
      cameras: this.deps.live.camerasIn(name),
      incidents: incidents.filter((incident) => this.deps.live.inArea(name, incident)),
      alerts: this.deps.live.activeAlerts(),
      sensors,
      counters: this.deps.live.counters(),
    };
  }

  /** City-wide lists, each read on its own (the snapshot reads them all). */
  cameras(): CameraView[] {
    return this.deps.live.camerasIn(CITY);
  }

  openIncidents(): Promise<IncidentView[]> {
    return this.deps.views.openIncidents();
  }

  alerts(): AlertView[] {
    return this.deps.live.activeAlerts();
  }

  async camera(user: Principal, id: string) {
    const camera = await this.deps.views.camera(id);
    if (!camera) throw new NotFoundError("params.id", `no camera ${id}`);
    const [statusHistory, detectionCounts] = await Promise.all([
      this.deps.views.statusHistory(id),
      this.deps.views.detectionCounts(id),
    ]);
    // Counts per class are not personal data, but who looked at which camera is worth knowing.
    await this.deps.audit.record({ actor: user.username, action: "camera.view", subject: id });
    return { camera, statusHistory, detectionCounts };
  }

  /**
   * The incident with its evidence timeline and the cameras that covered it. The first time someone opens it, a
   * case-assist record is made for it (stored with its inputs, so it can be reproduced).
   */
  async incident(user: Principal, id: string): Promise<IncidentDetail> {
    if (!isUuid(id)) throw new ValidationError("params.id", "must be an incident id (UUID)");
    const detail = await this.deps.views.incident(id);
    if (!detail) throw new NotFoundError("params.id", `no incident ${id}`);
    let caseAssist = (await this.deps.views.caseAssistCameras(id)) ?? null;
    if (!caseAssist) {
      try {
        await this.deps.correlator.caseAssistForIncident({
          incidentId: id,
          requestedBy: user.username,
          lat: detail.incident.lat,
          lon: detail.incident.lon,
          radiusM: CASE_ASSIST_RADIUS_M,
          ...caseAssistWindow(detail.incident),
        });
        caseAssist = (await this.deps.views.caseAssistCameras(id)) ?? null;
      } catch (err) {
        // The incident is still worth showing without its cameras.
        this.deps.logger.warn({ err, incident: id }, "case-assist record could not be made");
      }
    }
    await this.deps.audit.record({
      actor: user.username,
      action: "incident.view",
      subject: id,
      personalData: detail.evidence.some((evidence) => evidence.eventKind === "detection"),
    });
    return { ...detail, caseAssist };
  }

  async act(user: Principal, action: "acknowledge" | "resolve", id: string, body: unknown): Promise<IncidentView> {
    AuthService.require(user, "operator");
    if (!isUuid(id)) throw new ValidationError("params.id", "must be an incident id (UUID)");
    const version = parseInput(incidentActionRequestSchema, body ?? {}, "body").expectedVersion;
    if (action === "acknowledge") await this.deps.correlator.acknowledge(id, user.username, version);
    else await this.deps.correlator.resolve(id, user.username, version);
    await this.deps.audit.record({ actor: user.username, action: `incident.${action}`, subject: id });
    const detail = await this.deps.views.incident(id);
    if (!detail) throw new NotFoundError("params.id", `no incident ${id}`);
    // Show the change at once; the same change also arrives through Kafka (same version: ignored by clients).
    this.deps.live.incident(detail.incident);
    return detail.incident;
  }

  private area(value: unknown): AreaName {
    if (value === undefined || value === CITY) return CITY;
    if (typeof value === "string" && this.districts.has(value)) return value;
    throw new ValidationError("query.area", `unknown area; expected "city" or one of the districts`);
  }
}

function caseAssistWindow(incident: IncidentView): { from: Date; to: Date } {
  const from = new Date(Date.parse(incident.firstEventAt) - CASE_ASSIST_MARGIN_MS);
  const latest = Date.parse(incident.lastEventAt) + CASE_ASSIST_MARGIN_MS;
  // The correlator accepts windows of at most 24 hours.
  return { from, to: new Date(Math.min(latest, from.getTime() + 24 * 3600 * 1000)) };
}
