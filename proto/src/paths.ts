import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/** Folder holding hub/v1/*.proto (the package root), whether running from src/ or from the compiled dist/src/. */
export const protoRoot: string = here.endsWith(join("dist", "src")) ? join(here, "..", "..") : join(here, "..");
