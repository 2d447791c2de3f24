// Bundles the editor page's ES modules into static/build/ (run by scripts/frontend, so on every start and test run).
//
// One file per entry module plus the chunks the entries share: the page then makes a handful of requests instead
// of one per module. static/build/manifest.json records the SHA-256 of every source file the bundle was built
// from; the server serves the bundle only while all of them are unchanged, and the modules themselves otherwise
// (architectures/templatetags/modules.py), so an out-of-date bundle never reaches a browser.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build } from "esbuild";

// Entry modules as the templates name them, under static/. startup.js is the editor's first requests: its own
// entry, so the page can run it before the rest has arrived, sharing one copy of it with main.js.
const ENTRIES = ["editor/startup.js", "editor/main.js"];
const STATIC = "static/";
const OUT = "static/build";

const { metafile, outputFiles } = await build({
  write: false, // written below, only where they changed: a server may be serving the last build right now
  entryPoints: ENTRIES.map((entry) => STATIC + entry),
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: "linked",
  legalComments: "linked", // the vendored libraries' licence notices, in a file beside the bundle
  // Chart.js is loaded when a chart is first needed (charts.js). DOMPurify stays its vendored file too: it parses
  // notes in an inert document, where Chrome reports each event handler it meets as blocked by the site's CSP, and
  // those reports must keep naming DOMPurify's file (the browser tests tell them from a handler that slipped out).
  external: ["../vendor/chart.umd.min.js", "../vendor/purify.es.js"],
  metafile: true,
  logLevel: "warning",
});

const staticName = (path) => {
  if (!path.startsWith(STATIC)) throw new Error(`bundle: ${path} is not under ${STATIC}`);
  return path.slice(STATIC.length);
};

// Each entry's file first, then every chunk it imports statically (directly or not): the page's modulepreloads.
function graph(output) {
  const files = [output];
  for (const file of files) {
    for (const imported of metafile.outputs[file]?.imports ?? []) { // an external file has none listed
      if (imported.kind !== "import-statement") continue;
      // An external module imported statically (DOMPurify) is preloaded as its own file, as the page will ask for it.
      const path = imported.external ? join(dirname(file), imported.path) : imported.path;
      if (!files.includes(path)) files.push(path);
    }
  }
  return files.map(staticName);
}

const entries = {};
for (const [output, { entryPoint }] of Object.entries(metafile.outputs)) {
  if (entryPoint) entries[staticName(entryPoint)] = graph(output);
}
const sources = {};
for (const input of Object.keys(metafile.inputs).sort()) {
  sources[staticName(input)] = createHash("sha256").update(readFileSync(input)).digest("hex");
}

// Each file replaced at once (a rename), so no request ever gets half of one; the manifest, which makes the server
// serve them, goes last.
const replace = (path, contents) => {
  if (existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(contents)) === 0) return;
  writeFileSync(`${path}.tmp`, contents);
  renameSync(`${path}.tmp`, path);
};
mkdirSync(OUT, { recursive: true });
for (const file of outputFiles) replace(file.path, file.contents);
replace(`${OUT}/manifest.json`, `${JSON.stringify({ entries, sources }, null, 1)}\n`);
// Chunks of earlier builds (their names are hashes of their content) go once a day old: a page opened before
// this build may still ask for them.
const built = new Set([...outputFiles.map((file) => relative(OUT, file.path)), "manifest.json"]);
for (const name of readdirSync(OUT)) {
  if (!built.has(name) && Date.now() - statSync(`${OUT}/${name}`).mtimeMs > 24 * 3600 * 1000) unlinkSync(`${OUT}/${name}`);
}
console.log(`frontend: bundled ${Object.keys(sources).length} modules into ${Object.keys(metafile.outputs).length} files in ${OUT}`);
