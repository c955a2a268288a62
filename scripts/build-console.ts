/**
 * Builds the console when its build is missing or stale (the same check `npm start` makes),
 * so the test suite builds it once, before the tests that start the product.
 */
import { ensureConsoleBuild } from "../server/console-build";
import { PROJECT_ROOT } from "../server/broker-service";
import { log } from "../server/log";

await ensureConsoleBuild(PROJECT_ROOT, log);
