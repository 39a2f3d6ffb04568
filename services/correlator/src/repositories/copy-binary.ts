/**
 * PostgreSQL's binary COPY format (COPY … FROM STDIN (FORMAT binary)) for the column types the event tables use:
 * the server reads the values as they are, without parsing text (timestamps, floats), which is what makes COPY the
 * fastest way in. See "COPY — Binary Format" in the PostgreSQL manual.
 */
export type CopyType = "timestamptz" | "text" | "real" | "float8" | "int" | "jsonb" | "boolean";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
/** Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC). */
const PG_EPOCH_MS = 946_684_800_000;
const TWO_32 = 2 ** 32;

/** Encodes `rows` (one array of values per row, in the order of `types`; null or undefined for NULL). */
export function encodeBinaryCopy(types: readonly CopyType[], rows: readonly (readonly unknown[])[]): Buffer {
  const out = new Writer(64 + rows.length * types.length * 16);
  out.bytes(SIGNATURE);
  out.int32(0); // flags
  out.int32(0); // header extension length
  for (const row of rows) {
    out.int16(types.length);
    for (let index = 0; index < types.length; index += 1) out.field(types[index] as CopyType, row[index]);
  }
  out.int16(-1);
  return out.done();
}

class Writer {
  private buffer: Buffer;
  private at = 0;

  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  private room(size: number): void {
    if (this.at + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + size));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  bytes(value: Buffer): void {
    this.room(value.length);
    value.copy(this.buffer, this.at);
    this.at += value.length;
  }

  int16(value: number): void {
    this.room(2);
    this.at = this.buffer.writeInt16BE(value, this.at);
  }

  int32(value: number): void {
    this.room(4);
    this.at = this.buffer.writeInt32BE(value, this.at);
  }

  /** A length-prefixed UTF-8 string, after an optional leading byte (jsonb's format version). */
  private string(value: string, lead?: number): void {
    const max = Buffer.byteLength(value, "utf8");
    const extra = lead === undefined ? 0 : 1;
    this.room(4 + extra + max);
    this.buffer.writeInt32BE(max + extra, this.at);
    this.at += 4;
    if (lead !== undefined) this.at = this.buffer.writeUInt8(lead, this.at);
    this.at += this.buffer.write(value, this.at, "utf8");
  }

  field(type: CopyType, value: unknown): void {
    if (value === null || value === undefined) {
      this.int32(-1);
      return;
    }
    switch (type) {
      case "text":
        this.string(String(value));
        return;
      case "jsonb":
        this.string(typeof value === "string" ? value : JSON.stringify(value), 1);
        return;
      case "timestamptz": {
        const micros = ((value as Date).getTime() - PG_EPOCH_MS) * 1000;
        if (!Number.isFinite(micros)) throw new Error("invalid date in a timestamptz column");
        const high = Math.floor(micros / TWO_32);
        this.room(12);
        this.at = this.buffer.writeInt32BE(8, this.at);
        this.at = this.buffer.writeInt32BE(high, this.at);
        this.at = this.buffer.writeUInt32BE(micros - high * TWO_32, this.at);
        return;
      }
      case "real":
        this.room(8);
        this.at = this.buffer.writeInt32BE(4, this.at);
        this.at = this.buffer.writeFloatBE(value as number, this.at);
        return;
      case "float8":
        this.room(12);
        this.at = this.buffer.writeInt32BE(8, this.at);
        this.at = this.buffer.writeDoubleBE(value as number, this.at);
        return;
      case "int":
        this.room(8);
        this.at = this.buffer.writeInt32BE(4, this.at);
        this.at = this.buffer.writeInt32BE(value as number, this.at);
        return;
      case "boolean":
        this.room(5);
        this.at = this.buffer.writeInt32BE(1, this.at);
        this.at = this.buffer.writeUInt8(value ? 1 : 0, this.at);
        return;
    }
  }

  done(): Buffer {
    return this.buffer.subarray(0, this.at);
  }
}
