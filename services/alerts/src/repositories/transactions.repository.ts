import { type Pool, type PoolClient, withTransaction } from "@hub/common";
import type { TransactionRunner } from "../services/workflow.ports.js";

type Queryable = Pick<PoolClient, "query">;

/** Transactions on the service's pool: one client from BEGIN to COMMIT (or ROLLBACK when the work throws). */
export class PoolTransactions implements TransactionRunner<Queryable> {
  constructor(private readonly pool: Pool) {}

  get outside(): Queryable {
    return this.pool;
  }

  run<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }
}
