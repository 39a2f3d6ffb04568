import {
  type AuditEntry,
  appendAuditIn,
  NotFoundError,
  type Pool,
  PreconditionError,
  withTransaction,
} from "@hub/common";
import type { DecommissionView } from "@hub/contracts";

/**
 * Decommissioning (migration 0030) through the owner's function decommission_camera, since this service's role only
 * reads cameras. The change commits with its audit entry.
 */
export class CameraDecommissionRepository {
  constructor(private readonly pool: Pool) {}

  async decommission(
    request: { cameraId: string; by: string; reason: string },
    audit: (view: DecommissionView) => AuditEntry,
  ): Promise<DecommissionView> {
    return withTransaction(this.pool, async (client) => {
      const result = await client
        .query<{ at: Date }>("SELECT decommission_camera($1, $2, $3) AS at", [
          request.cameraId,
          request.by,
          request.reason,
        ])
        .catch((error: unknown) => {
          const code = (error as { code?: unknown }).code;
          if (code === "P0002") throw new NotFoundError("params.id", `no camera ${request.cameraId}`);
          if (code === "55000")
            throw new PreconditionError("params.id", `camera ${request.cameraId} is already decommissioned`);
          throw error;
        });
      const at = result.rows[0]?.at;
      if (!at) throw new NotFoundError("params.id", `no camera ${request.cameraId}`);
      const view: DecommissionView = {
        cameraId: request.cameraId,
        decommissionedAt: at.toISOString(),
        decommissionedBy: request.by,
        reason: request.reason,
      };
      await appendAuditIn(client, audit(view));
      return view;
    });
  }
}
