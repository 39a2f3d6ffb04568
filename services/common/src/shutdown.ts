import type { Logger } from "./logger.js";

/**
 * Runs `stop` once on SIGTERM or SIGINT (or, with `exitWithStdin`, when stdin ends because the launcher that
 * started us died), then exits. A second signal, or a stop that takes longer than `timeoutMs`, exits at once with a
 * non-zero code.
 */
export function onShutdown(
  logger: Logger,
  stop: () => Promise<void>,
  options: { timeoutMs?: number; exitWithStdin?: boolean } = {},
): void {
  const timeoutMs = options.timeoutMs ?? 15000;
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  // Started by a launcher that may die without a word (SIGKILL): its end of our stdin closes.
  if (options.exitWithStdin) {
    process.stdin.on("end", () => handler("SIGTERM"));
    process.stdin.resume();
  }
}
