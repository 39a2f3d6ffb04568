// Public surface of the contracts package: the generated message types, enums and gRPC service definitions.
// Everything under gen/ is produced by `npm run gen` from hub/v1/*.proto and must never be edited by hand.

export { BinaryWriter } from "@bufbuild/protobuf/wire";
export * from "../gen/google/protobuf/timestamp.js";
export * from "../gen/hub/v1/alert.js";
export * from "../gen/hub/v1/camera.js";
export * from "../gen/hub/v1/correlator.js";
export * from "../gen/hub/v1/detection.js";
export * from "../gen/hub/v1/geo.js";
export * from "../gen/hub/v1/incident.js";
export * from "../gen/hub/v1/ingest.js";
export * from "../gen/hub/v1/records.js";
export * from "../gen/hub/v1/sensor.js";
export * from "./incident-status.js";
export { protoRoot } from "./paths.js";
