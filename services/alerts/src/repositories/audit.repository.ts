import { type AuditEntry, appendAuditIn, type PoolClient } from "@hub/common";
import type { AuditTrail } from "../services/workflow.ports.js";

type Queryable = Pick<PoolClient, "query">;

/** The shared tamper-evident audit log (audit_log, migration 0006), written inside the caller's transaction. */
export class AuditRepository implements AuditTrail<Queryable> {
  async append(db: Queryable, entry: AuditEntry): Promise<void> {
    // The workflow appends only inside TransactionRunner.run, whose handle is the transaction's client: the chain's
    // advisory lock is then held until that transaction ends.
    await appendAuditIn(db as PoolClient, entry);
  }
}
