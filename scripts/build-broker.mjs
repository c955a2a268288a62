/**
 * Bundles server/main-broker.ts into build/broker/main-broker.mjs with esbuild (installed
 * with tsx), so scripts/nats-server starts plain JavaScript: test harnesses start a server
 * per test and time their reconnects, and compiling the sources with tsx at every start
 * costs most of a second. npm packages stay external (resolved from node_modules as
 * usual). `import.meta.url` keeps naming each source file, so paths computed from it
 * (the project root, the store's migrations and its worker) stay what they are under tsx.
 *
 * Writes build/broker/inputs.txt, the files the bundle was made from, which the launcher
 * compares with the bundle to rebuild it when stale. Safe to run from several processes at
 * once: each writes its own temporary files and renames them into place.
 *
 *   node scripts/build-broker.mjs
 */
import { existsSync } from "node:fs";
import { readFile, mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outDir = path.join(root, "build", "broker");
const tmp = `.tmp-${process.pid}`;

/** Each source file's own URL in place of `import.meta.url`, as tsx would run it. */
const sourceUrls = {
  name: "source-import-meta-url",
  setup(b) {
    b.onLoad({ filter: /\.(ts|mts)$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
    });
  },
};

/**
 * better-sqlite3 finds its addon through the `bindings` package, which probes several
 * directories relative to the calling file (with a thrown error per miss) — wrong once the
 * caller is inside the bundle. The addon's place is known: require it from there.
 */
const sqliteDir = path.join(root, "node_modules", "better-sqlite3");
const sqliteAddonDir = path.join(sqliteDir, "build", "Release");
const sqliteAddon = {
  name: "better-sqlite3-addon",
  setup(b) {
    b.onResolve({ filter: /^bindings$/ }, (args) =>
      args.importer.startsWith(sqliteDir + path.sep)
        ? { path: "bindings", namespace: "sqlite-addon" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "sqlite-addon" }, () => ({
      contents: `module.exports = (name) => require(${JSON.stringify(sqliteAddonDir + path.sep)} + name);`,
      loader: "js",
    }));
  },
};
const bundleSqlite = existsSync(path.join(sqliteAddonDir, "better_sqlite3.node"));

await mkdir(outDir, { recursive: true });
const outfile = path.join(outDir, "main-broker.mjs");
const result = await build({
  absWorkingDir: root,
  entryPoints: [path.join(root, "server", "main-broker.ts")],
  outfile: outfile + tmp,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // npm packages are bundled too: resolving each of drizzle-orm's modules through Node's
  // ESM loader at start costs more than the rest of the start-up. Native addons cannot be.
  external: bundleSqlite ? [] : ["better-sqlite3"],
  // require() for what stays outside the bundle (the addon), in an ES module.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  // Class and function names as under tsx (which keeps them too), for logs and errors.
  keepNames: true,
  // Less to parse at every start (~650 KB → ~300 KB); identifiers stay, for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  logLevel: "warning",
  plugins: bundleSqlite ? [sourceUrls, sqliteAddon] : [sourceUrls],
});
const inputs = [
  // Files only: the addon stand-in above is listed as "sqlite-addon:bindings".
  ...Object.keys(result.metafile.inputs)
    .map((f) => path.resolve(root, f))
    .filter((f) => existsSync(f)),
  fileURLToPath(import.meta.url),
  path.join(root, "package.json"),
  path.join(root, "package-lock.json"),
];
await writeFile(path.join(outDir, "inputs.txt") + tmp, inputs.join("\n") + "\n");
// The inputs list first: a launcher that sees the new bundle must see its inputs too.
await rename(path.join(outDir, "inputs.txt") + tmp, path.join(outDir, "inputs.txt"));
await rename(outfile + tmp, outfile);
