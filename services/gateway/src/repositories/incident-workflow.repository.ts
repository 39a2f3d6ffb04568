import type { Pool } from "@hub/common";

export interface ActivityRow {
  id: string;
  kind: "transition" | "assignment" | "note" | "sop_step" | "merge";
  actor: string;
  at: Date;
  from_status: string | null;
  to_status: string | null;
  reason: string | null;
  assigned_operator: string | null;
  assigned_unit: string | null;
  cad_reference: string | null;
  note: string | null;
  step_id: string | null;
  step_done: boolean | null;
  other_incident_id: string | null;
}

export interface WorkflowRow {
  kind: string;
  assigned_operator: string | null;
  assigned_unit: string | null;
  cad_reference: string | null;
  merged_into: string | null;
}

export interface AlertMessageRow {
  alert_id: string;
  msg_type: string;
  status: string;
  drafted_by: string;
  drafted_at: Date;
}

/** Reads of an incident's workflow (the correlator writes it): activity, assignment, alerts drafted from it. */
export class IncidentWorkflowRepository {
  constructor(private readonly pool: Pool) {}

  async workflow(id: string): Promise<WorkflowRow | undefined> {
    const result = await this.pool.query<WorkflowRow>(
      "SELECT kind, assigned_operator, assigned_unit, cad_reference, merged_into FROM incidents WHERE id = $1",
      [id],
    );
    return result.rows[0];
  }

  /** Every step, oldest first (at most 2000: a day's busy incident has far fewer). */
  async activity(id: string): Promise<ActivityRow[]> {
    const result = await this.pool.query<ActivityRow>(
      "SELECT * FROM incident_activity WHERE incident_id = $1 ORDER BY at, id LIMIT 2000",
      [id],
    );
    return result.rows;
  }

  /** Alert messages whose content names the incident. */
  async alertMessages(id: string): Promise<AlertMessageRow[]> {
    const result = await this.pool.query<AlertMessageRow>(
      `SELECT alert_id, msg_type, status, drafted_by, drafted_at FROM alert_messages
        WHERE content->>'incidentId' = $1 ORDER BY drafted_at, id LIMIT 200`,
      [id],
    );
    return result.rows;
  }

  async userExists(username: string): Promise<boolean> {
    const result = await this.pool.query("SELECT 1 FROM users WHERE username = $1 AND disabled_at IS NULL", [username]);
    return result.rowCount === 1;
  }
}
