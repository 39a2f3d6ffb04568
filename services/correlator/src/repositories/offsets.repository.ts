import type { Pool, PoolClient } from "@hub/common";

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The offset of the next message to process. */
  nextOffset: string;
}

/** The consumer's position, stored in the database in the same transaction as what it consumed. */
export class OffsetsRepository {
  constructor(
    private readonly pool: Pool,
    private readonly groupId: string,
  ) {}

  async load(topic: string, partitions: number[]): Promise<Map<number, string>> {
    const result = await this.pool.query<{ partition: number; next_offset: string }>(
      "SELECT partition, next_offset::text FROM consumer_offsets WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])",
      [this.groupId, topic, partitions],
    );
    return new Map(result.rows.map((row) => [row.partition, row.next_offset]));
  }

  async save(client: PoolClient, offsets: PartitionOffset[]): Promise<void> {
    await client.query(
      `INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
       SELECT $1, * FROM unnest($2::text[], $3::int[], $4::bigint[])
       ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = excluded.next_offset, updated_at = now()`,
      [this.groupId, offsets.map((o) => o.topic), offsets.map((o) => o.partition), offsets.map((o) => o.nextOffset)],
    );
  }
}
