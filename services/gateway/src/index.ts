export { type GatewayApp, startGateway } from "./app.js";
export { type GatewayConfig, readConfig } from "./config.js";
export { devUsers } from "./services/auth.service.js";
export { hashPassword } from "./services/passwords.js";
