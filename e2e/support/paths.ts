/** Where things are: the project root, and where the run writes what people look at. */
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Screenshots of the main views (gitignored; the best are copied to docs/ by hand). */
export const SCREENSHOTS = path.join(ROOT, "e2e/.artifacts/screenshots");
