import { parseInput } from "@hub/common";
import { DECOMMISSION_ROLES, type DecommissionView, decommissionRequestSchema } from "@hub/contracts";
import type { CameraDecommissionRepository } from "../repositories/camera-decommission.repository.js";
import { AuthService, type Principal } from "./auth.service.js";

/**
 * Decommissioning a camera: supervisors and administrators only, with a reason, audited in the same transaction.
 * Nothing is deleted. `onChange` reloads the registry so the camera leaves the map at once.
 */
export class CameraDecommissionService {
  constructor(
    private readonly deps: {
      cameras: Pick<CameraDecommissionRepository, "decommission">;
      onChange?: () => Promise<void>;
    },
  ) {}

  async decommission(
    principal: Principal,
    cameraId: string,
    body: unknown,
    sourceIp: string,
  ): Promise<DecommissionView> {
    AuthService.require(principal, ...DECOMMISSION_ROLES);
    const { reason } = parseInput(decommissionRequestSchema, body ?? {}, "body");
    const view = await this.deps.cameras.decommission({ cameraId, by: principal.username, reason }, (done) => ({
      actor: principal.username,
      action: "camera.decommission",
      subject: done.cameraId,
      criteria: { decommissionedAt: done.decommissionedAt, reason: done.reason },
      sourceIp,
    }));
    await this.deps.onChange?.().catch(() => undefined);
    return view;
  }
}
