import { describe, expect, it } from "vitest";
import { encodeBinaryCopy } from "./copy-binary.js";

// The binary COPY format byte by byte (PostgreSQL manual, "COPY — Binary Format"): header, one tuple, trailer.
describe("encodeBinaryCopy", () => {
  it("writes the signature, the tuples' fields with their lengths, NULL as -1 and the trailer", () => {
    const at = new Date("2000-01-01T00:00:01.5Z");
    const data = encodeBinaryCopy(
      ["timestamptz", "text", "real", "float8", "int", "jsonb", "boolean", "text"],
      [[at, "é", 0.5, -2.25, 7, { a: 1 }, true, null]],
    );
    const expected = Buffer.concat([
      Buffer.from("PGCOPY\n\xff\r\n\0", "latin1"),
      int32(0),
      int32(0),
      int16(8),
      int32(8),
      Buffer.from([0, 0, 0, 0, 0, 0x16, 0xe3, 0x60]), // 1,500,000 µs after 2000-01-01
      int32(2),
      Buffer.from("é", "utf8"),
      int32(4),
      Buffer.from([0x3f, 0, 0, 0]), // 0.5 as float4
      int32(8),
      Buffer.from([0xc0, 0x02, 0, 0, 0, 0, 0, 0]), // -2.25 as float8
      int32(4),
      int32(7),
      int32(8),
      Buffer.from([1, ...Buffer.from('{"a":1}')]), // jsonb: format version 1, then the text
      int32(1),
      Buffer.from([1]),
      int32(-1),
      int16(-1),
    ]);
    expect(data.equals(expected)).toBe(true);
  });

  it("encodes times before 2000 as negative microseconds and grows past its first estimate", () => {
    const long = "x".repeat(10_000);
    const data = encodeBinaryCopy(["timestamptz", "text"], [[new Date("1999-12-31T23:59:59Z"), long]]);
    expect(data.readBigInt64BE(19 + 2 + 4)).toBe(-1_000_000n);
    expect(data.readInt32BE(19 + 2 + 4 + 8)).toBe(10_000);
    expect(data.readInt16BE(data.length - 2)).toBe(-1);
  });
});

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeInt16BE(value);
  return buffer;
}
