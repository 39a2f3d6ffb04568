import { type Pool, type PoolClient, withTransaction } from "@hub/common";

/**
 * Database transactions for the services: `run` commits what `work` did through the repositories, or rolls it all
 * back if it throws. Services see the client only as a handle to pass to repositories.
 */
export class TransactionRepository {
  constructor(readonly pool: Pool) {}

  run<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, work);
  }
}
