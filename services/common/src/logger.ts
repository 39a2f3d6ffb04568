import { type Logger, pino } from "pino";

export type { Logger } from "pino";

/**
 * Structured JSON logs, one line per event, with the service name on every line. Child loggers add a namespace
 * (`logger.child({ ns: "kafka" })`). Errors are logged as `logger.error({ err }, "what failed")`.
 */
export function createLogger(service: string, level = "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Credentials must never reach the logs, whatever a caller passes in.
    redact: {
      paths: ["*.authorization", "*.token", "*.password", "authorization", "token", "password"],
      censor: "[redacted]",
    },
  });
}
