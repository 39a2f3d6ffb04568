export type { AlertsApp } from "./app.js";
export { startAlerts } from "./app.js";
export { type AlertsConfig, configVariables, readConfig } from "./config.js";
