export type { AlertsApp } from "./app.js";
export { startAlerts } from "./app.js";
export { type AlertsConfig, configVariables, readConfig } from "./config.js";
export { DeliveriesRepository } from "./repositories/deliveries.repository.js";
export { WeChatTokenRepository } from "./repositories/wechat-token.repository.js";
export { CAP_NAMESPACE, capDateTime } from "./services/cap.js";
export { signCap } from "./services/cap-signature.js";
