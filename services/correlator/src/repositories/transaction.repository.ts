import { type Pool, type PoolClient, withTransaction } from "@hub/common";

/** Round trips of one transaction, BEGIN and COMMIT included (filled in by `run`). */
export interface StatementCount {
  statements: number;
}

/**
 * Database transactions for the services: `run` commits what `work` did through the repositories, or rolls it all
 * back if it throws. Services see the client only as a handle to pass to repositories. `setup` is SQL without
 * parameters sent with BEGIN in the same round trip (e.g. the temporary tables a repository needs, created in each
 * transaction so that transaction pooling stays safe). With `count`, every statement of the transaction is
 * counted there.
 */
export class TransactionRepository {
  private readonly begin: string;

  constructor(
    readonly pool: Pool,
    setup?: string,
  ) {
    this.begin = setup ? `BEGIN; ${setup}` : "BEGIN";
  }

  async run<T>(work: (client: PoolClient) => Promise<T>, count?: StatementCount): Promise<T> {
    const result = await withTransaction(
      this.pool,
      (client) => work(count ? countingQueries(client, count) : client),
      this.begin,
    );
    if (count) count.statements += 2;
    return result;
  }
}

function countingQueries(client: PoolClient, count: StatementCount): PoolClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== "query") return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => {
        count.statements += 1;
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}
