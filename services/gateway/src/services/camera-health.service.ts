import { parseInput } from "@hub/common";
import { type CameraList, cameraListQuerySchema } from "@hub/contracts";
import type { CameraListFilter } from "../repositories/camera-health.repository.js";

/** What the camera list needs of the database (CameraHealthRepository). */
export interface CameraHealthReader {
  list(filter: CameraListFilter): Promise<{ rows: CameraList["cameras"]; total: number }>;
}

/** The camera list: filters checked (a bad one is a 400 naming it), one bounded page at a time. */
export class CameraHealthService {
  constructor(private readonly deps: { reader: CameraHealthReader }) {}

  async list(query: unknown): Promise<CameraList> {
    const { district, phase, state, site, decommissioned, limit, after } = parseInput(
      cameraListQuerySchema,
      query ?? {},
      "query",
    );
    const { rows, total } = await this.deps.reader.list({
      limit: limit + 1,
      ...(district ? { district } : {}),
      ...(phase ? { phase } : {}),
      ...(state ? { state } : {}),
      ...(site ? { site } : {}),
      decommissioned,
      ...(after ? { after } : {}),
    });
    const page = rows.slice(0, limit);
    return { cameras: page, total, nextAfter: rows.length > limit ? (page.at(-1)?.id ?? null) : null };
  }
}
