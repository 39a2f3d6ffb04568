/**
 * The hub's HTTP and Socket.IO contracts, shared by the services and the web dashboard: zod schemas, the TypeScript
 * types derived from them, the API paths, the route table and the OpenAPI document generated from it. Change a
 * shape here and every side fails to compile until it agrees. Depends on nothing but zod; nothing here needs Node.
 *
 * Times are ISO-8601 strings (UTC).
 */
export * from "./alert-content.js";
export * from "./alerts.js";
export * from "./auth.js";
export * from "./camera-health.js";
export * from "./cameras.js";
export * from "./cap.js";
export * from "./cases.js";
export * from "./common.js";
export * from "./correlation-rules.js";
export * from "./history.js";
export * from "./incident-workflow.js";
export * from "./incidents.js";
export * from "./legal-holds.js";
export * from "./live.js";
export * from "./openapi.js";
export * from "./partner-feeds.js";
export * from "./paths.js";
export * from "./problem.js";
export * from "./public-alerts.js";
export * from "./routes.js";
export * from "./sensors.js";
export * from "./video.js";
export * from "./vocabulary.js";
export * from "./watch-list.js";
