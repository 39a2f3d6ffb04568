/** Small checks and conversions for values that cross the wire (REST, gRPC, Kafka records). */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID in its canonical text form (either case). */
export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

/** A protobuf enum's JSON name without its prefix, lower-cased: ("OBJECT_CLASS_PERSON", "OBJECT_CLASS_") → "person". */
export function enumLabel(json: string, prefix: string): string {
  return (json.startsWith(prefix) ? json.slice(prefix.length) : json).toLowerCase();
}
