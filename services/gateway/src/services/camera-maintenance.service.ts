import { isUuid, NotFoundError, parseInput } from "@hub/common";
import {
  MAINTENANCE_ROLES,
  type MaintenanceWindowView,
  maintenanceWindowRequestSchema,
  maintenanceWindowsQuerySchema,
} from "@hub/contracts";
import type { CameraMaintenanceRepository } from "../repositories/camera-maintenance.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/**
 * Maintenance windows: supervisors and administrators create and end them (audited, with the change in one
 * transaction); anyone signed in reads them. `onChange` reloads the registry so the map shows the change at once.
 */
export class CameraMaintenanceService {
  constructor(
    private readonly deps: {
      windows: Pick<CameraMaintenanceRepository, "create" | "current" | "end">;
      onChange?: () => Promise<void>;
    },
  ) {}

  async current(query: unknown): Promise<MaintenanceWindowView[]> {
    const { cameraId, district } = parseInput(maintenanceWindowsQuerySchema, query ?? {}, "query");
    return this.deps.windows.current({ ...(cameraId ? { cameraId } : {}), ...(district ? { district } : {}) });
  }

  async create(principal: Principal, body: unknown, sourceIp: string): Promise<MaintenanceWindowView> {
    AuthService.require(principal, ...MAINTENANCE_ROLES);
    const request = parseInput(maintenanceWindowRequestSchema, body ?? {}, "body");
    const view = await this.deps.windows.create(
      {
        ...(request.cameraId ? { cameraId: request.cameraId } : {}),
        ...(request.district ? { district: request.district } : {}),
        startsAt: request.startsAt ? new Date(request.startsAt) : new Date(),
        endsAt: new Date(request.endsAt),
        reason: request.reason,
        createdBy: principal.username,
      },
      (created) => ({
        actor: principal.username,
        action: "camera.maintenance.create",
        subject: created.cameraId ?? `district:${created.district}`,
        criteria: { id: created.id, startsAt: created.startsAt, endsAt: created.endsAt, reason: created.reason },
        sourceIp,
      }),
    );
    await this.changed();
    return view;
  }

  async end(principal: Principal, id: string, sourceIp: string): Promise<MaintenanceWindowView> {
    AuthService.require(principal, ...MAINTENANCE_ROLES);
    if (!isUuid(id)) throw new NotFoundError("id", `no maintenance window ${id}`);
    const view = await this.deps.windows.end(id, principal.username, (ended) => ({
      actor: principal.username,
      action: "camera.maintenance.end",
      subject: ended.cameraId ?? `district:${ended.district}`,
      criteria: { id: ended.id },
      sourceIp,
    }));
    await this.changed();
    return view;
  }

  private async changed(): Promise<void> {
    await this.deps.onChange?.().catch(() => undefined);
  }
}
