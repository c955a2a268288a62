/**
 * Reads a nats-server config file from disk (with its includes and the process
 * environment) and maps it: the I/O around parse.ts and options.ts.
 */
import fs from "node:fs";
import { ConfParseError, parseConf } from "./parse";
import { formatDiagnostic, mapConfig, type ConfDiagnostic, type FileConfig } from "./options";

export type LoadResult =
  | { ok: true; config: FileConfig; warnings: string[]; diagnostics: ConfDiagnostic[] }
  | { ok: false; errors: string[]; warnings: string[]; diagnostics: ConfDiagnostic[] };

export function loadConfigFile(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      errors: [`cannot read config file: ${reason}`],
      warnings: [],
      diagnostics: [],
    };
  }
  try {
    const root = parseConf(text, { file, env, readInclude: (p) => fs.readFileSync(p, "utf8") });
    const mapped = mapConfig(root, { readFile: (p) => fs.readFileSync(p, "utf8") });
    const warnings = mapped.warnings.map(formatDiagnostic);
    const diagnostics = [...mapped.errors, ...mapped.warnings];
    if (mapped.errors.length > 0) {
      return { ok: false, errors: mapped.errors.map(formatDiagnostic), warnings, diagnostics };
    }
    return { ok: true, config: mapped.config, warnings, diagnostics };
  } catch (e) {
    if (!(e instanceof ConfParseError)) throw e;
    return {
      ok: false,
      errors: [e.message],
      warnings: [],
      diagnostics: [{ pos: e.pos, message: e.reason }],
    };
  }
}
