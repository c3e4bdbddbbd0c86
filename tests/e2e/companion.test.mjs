// End-to-end tests for companion websites and talks: dist/ served under a
// sub-path, offline use through the service worker, and exports that carry
// the versions and the scenario that reproduces them.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { serveDir } from "./serve.mjs";
import { checkBuild, cli, dist, launchChromium, repo, shots, defines } from "./env.mjs";

const TIMEOUT = 60_000;
// A model with dynamic sizes: the import worker answers that it needs its
// input shape, without changing the scenario.
const fsrcnnOnnx = path.join(repo, "crates", "import", "tests", "data", "fsrcnn.onnx");

let browser;
const servers = [];
/** serveDir, remembered so that a failing test cannot leave a server open. */
async function serve(...args) {
  const s = await serveDir(...args);
  servers.push(s.server);
  return s;
}
before(async () => {
  checkBuild();
  browser = await launchChromium();
});
after(async () => {
  servers.forEach((s) => s.close());
  await browser?.close();
});

const expected = JSON.parse(defines(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn",
  "--mode", "3", "--tile", "16x18", "--format", "json"]).toString());

async function numbers(page) {
  await page.waitForSelector('#status[data-state="ready"]', { timeout: TIMEOUT });
  return {
    energy: Number(await page.getAttribute("#energy", "data-value")),
    latency: Number(await page.getAttribute("#latency", "data-value")),
  };
}

async function fresh() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return { context, page, errors };
}

test("dist/ works unchanged under a sub-path (/a/b/)", async () => {
  const { server, url } = await serve(dist, "/a/b/");
  const { context, page, errors } = await fresh();
  const requested = [];
  page.on("request", (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(url);
  const got = await numbers(page);
  assert.equal(got.energy, expected.energy_pj);
  assert.equal(got.latency, expected.latency_cycles);
  assert.ok(requested.every((p) => p.startsWith("/a/b/")), `every request under the prefix: ${requested}`);
  assert.deepEqual(errors, []);
  await context.close();
  server.close();
});

test("offline: after one visit the page opens and computes with the network off", async () => {
  const { server, url } = await serve(dist);
  const { context, page, errors } = await fresh();
  await page.goto(url);
  await numbers(page);
  // The service worker has precached the build and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });
  await numbers(page);
  // One import online loads the import worker.
  await page.setInputFiles("#onnx-file", fsrcnnOnnx);
  await page.waitForSelector('#import[data-state="failed"]', { timeout: TIMEOUT });
  const caches = await page.evaluate(() => caches.keys());
  assert.equal(caches.length, 1);
  assert.match(caches[0], /^defines-playground-[0-9a-f]{16}$/);
  await context.setOffline(true);
  server.close();
  await page.reload();
  const got = await numbers(page);
  assert.equal(got.energy, expected.energy_pj, "computed offline");
  // A sweep offline too (its workers come from the cache).
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
  await page.screenshot({ path: path.join(shots, "offline.png") });
  // The import worker, fetched (and cached) by the import made online,
  // imports offline too.
  await page.setInputFiles("#onnx-file", fsrcnnOnnx);
  await page.waitForSelector('#import[data-state="failed"]', { timeout: TIMEOUT });
  assert.match(await page.textContent("#import-headline"), /input shape/, "the worker answered (this model needs its shape)");
  assert.deepEqual(errors.filter((e) => !e.includes("net::ERR_INTERNET_DISCONNECTED")), []);
  await context.close();
});

test("a first visit to a static host fetches each file once, the service worker's precache included, and not the importers", async () => {
  const { server, served, url } = await serve(dist, "/", {}, { host: true });
  const { context, page, errors } = await fresh();
  const t0 = Date.now();
  await page.goto(url);
  await numbers(page);
  const firstNumbers = Date.now() - t0;
  await page.evaluate(() => navigator.serviceWorker.ready);
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const cache = await caches.open(names[0]);
    return (await cache.keys()).map((r) => new URL(r.url).pathname);
  });
  const all = fs.readdirSync(dist).filter((f) => f !== "sw.js");
  // The import worker is loaded on the first dropped file, not before.
  const lazy = all.filter((f) => f.startsWith("importer"));
  assert.deepEqual(lazy.sort(), ["importer-loader.js", "importer.js", "importer_bg.wasm"]);
  const files = all.filter((f) => !lazy.includes(f));
  for (const f of files) assert.ok(cached.includes(f === "index.html" ? "/" : `/${f}`), `${f} precached: ${cached}`);
  for (const f of lazy) {
    assert.ok(!cached.includes(`/${f}`), `${f} not precached`);
    assert.ok(!served.some((r) => r.path === `/${f}`), `${f} not fetched`);
  }
  // The precache takes what the page just loaded from the HTTP cache
  // (content-hashed names) or revalidates it (304): no file's body is sent
  // twice.
  const full = served.filter((r) => r.status === 200 && r.path !== "/sw.js");
  const paths = full.map((r) => r.path);
  assert.deepEqual(paths.filter((p, i) => paths.indexOf(p) !== i), [], `sent twice: ${JSON.stringify(served)}`);
  const bytes = served.reduce((a, r) => a + r.bytes, 0);
  const gzipped = files.reduce((a, f) => a + zlib.gzipSync(fs.readFileSync(path.join(dist, f)), { level: 9 }).length, 0);
  assert.ok(bytes <= gzipped + 4096, `${bytes} bytes sent, the gzip files are ${gzipped}`);
  console.log(`first visit: ${(bytes / 1024).toFixed(1)} KiB sent (gzip, service worker included) in ${served.length} responses; first numbers after ${firstNumbers} ms`);
  assert.deepEqual(errors, []);
  await context.close();
  server.close();
});

test("exports carry the versions and the scenario that reproduces them", async () => {
  const { server, url } = await serve(dist);
  const { context, page, errors } = await fresh();
  await page.goto(url);
  await numbers(page);
  await page.click("#mode-2");
  await page.waitForSelector('#status[data-state="ready"]', { timeout: TIMEOUT });
  const [json] = await Promise.all([page.waitForEvent("download"), page.click("#export-json")]);
  const report = JSON.parse(fs.readFileSync(await json.path(), "utf8"));
  assert.match(report.generator, /^defines-playground [0-9.]+, defines-model [0-9.]+$/);
  assert.equal(typeof report.scenario, "string");
  // The scenario alone, in a fresh browser, gives the exported numbers.
  const other = await fresh();
  await other.page.goto(`${url}#s=${report.scenario}`);
  const again = await numbers(other.page);
  assert.equal(again.energy, report.report.energy_pj);
  assert.equal(again.latency, report.report.latency_cycles);
  await other.context.close();
  const [png] = await Promise.all([page.waitForEvent("download"), page.click("#energy-png")]);
  const bytes = fs.readFileSync(await png.path());
  assert.equal(bytes.subarray(1, 4).toString(), "PNG");
  const text = bytes.toString("latin1");
  assert.ok(text.includes("tEXtSoftware\0defines-playground"), "PNG Software chunk");
  assert.ok(text.includes(report.scenario), "PNG carries the scenario");
  assert.deepEqual(errors, []);
  await context.close();
  server.close();
});

test("embed views fill a 640x400 frame without scroll bars", async () => {
  const { server, url } = await serve(dist);
  for (const view of ["metrics", "energy", "latency", "heatmaps", "pareto", "layers", "fuse"]) {
    const context = await browser.newContext({ viewport: { width: 640, height: 400 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${url}?embed=${view}&controls=mode,tile`);
    const got = await numbers(page);
    assert.equal(got.energy, expected.energy_pj, view);
    if (view === "heatmaps" || view === "pareto") {
      await page.waitForSelector('.embed[data-sweep="done"]', { timeout: TIMEOUT });
      await page.waitForFunction(() => {
        const c = document.querySelector(".embed-body canvas");
        if (!c) return false;
        const { data } = c.getContext("2d").getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 0; i < data.length; i += 16) if (data[i] < 200) ink++;
        return ink > 500;
      }, null, { timeout: TIMEOUT });
    }
    const { sh, ih, sw, iw } = await page.evaluate(() => ({
      sh: document.documentElement.scrollHeight, ih: innerHeight,
      sw: document.documentElement.scrollWidth, iw: innerWidth,
    }));
    assert.ok(sh <= ih && sw <= iw, `${view}: page ${sw}x${sh} in a ${iw}x${ih} frame`);
    assert.ok(await page.isVisible("#open-full"), `${view}: open in the playground`);
    await page.screenshot({ path: path.join(shots, `embed-${view}.png`) });
    assert.deepEqual(errors, [], view);
    await context.close();
  }
  server.close();
});

test("postMessage: a host page with two frames drives them and gets the CLI's numbers", async () => {
  const site = fs.mkdtempSync(path.join(repo, "target", "e2e-site-"));
  fs.symlinkSync(path.resolve(dist), path.join(site, "playground"));
  fs.copyFileSync(path.join(repo, "examples", "host.html"), path.join(site, "host.html"));
  const { server, url } = await serve(site);
  const { context, page, errors } = await fresh();
  await page.goto(`${url}host.html`);
  const cliFor = (mode, tile) => JSON.parse(defines(["eval", "--hardware", "Meta_prototype_DF",
    "--workload", "fsrcnn", "--mode", String(mode), "--tile", tile, "--format", "json"]).toString());
  const wait = async (id, mode, tile) => {
    const want = cliFor(mode, tile);
    await page.waitForFunction(([id, e, l, t]) => {
      const o = document.getElementById(id);
      return o && Number(o.dataset.energy) === e && Number(o.dataset.latency) === l && o.dataset.tile === t;
    }, [id, want.energy_pj, want.latency_cycles, tile], { timeout: TIMEOUT });
  };
  await wait("left-result", 1, "16x18");
  await wait("right-result", 3, "16x18");
  await page.selectOption("#tile", "60x72");
  await wait("left-result", 1, "60x72");
  await wait("right-result", 3, "60x72");
  await page.screenshot({ path: path.join(shots, "host-example.png") });
  assert.deepEqual(errors, []);
  await context.close();
  server.close();
  fs.rmSync(site, { recursive: true, force: true });
});

test("the Content-Security-Policy holds: no violation while computing, sweeping and exporting", async () => {
  const { url } = await serve(dist);
  const { context, page, errors } = await fresh();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  assert.match(csp, /object-src 'none'/);
  await numbers(page);
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
  await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  await Promise.all([page.waitForEvent("download"), page.click("#energy-png")]);
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("readable from 390 to 1920 px wide: no sideways scrolling, charts at the container's width", async () => {
  const { url } = await serve(dist);
  // (phones and laptops draw at 3 and 2 device pixels per CSS pixel)
  for (const [width, dpr] of [[390, 3], [640, 1], [1280, 2], [1920, 1]]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: dpr });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    await numbers(page);
    await page.waitForTimeout(200);
    const { sw, cw, bitmap, css } = await page.evaluate(() => {
      const c = document.querySelector("#energy-chart");
      return { sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth, bitmap: c.width, css: c.clientWidth };
    });
    assert.ok(sw <= cw, `${width}: page ${sw} px wide in ${cw}`);
    assert.ok(Math.abs(bitmap - Math.max(css, 280) * dpr) <= dpr, `${width}: chart bitmap ${bitmap} for ${css} css px at ${dpr}x`);
    await page.screenshot({ path: path.join(shots, `width-${width}.png`) });
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("presenter mode: large views, keys for mode, tile, sweep and views, the shortcut card", async () => {
  const { url } = await serve(dist);
  for (const width of [1280, 1920]) {
    const context = await browser.newContext({ viewport: { width, height: width === 1920 ? 1080 : 800 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${url}?present`);
    await numbers(page);
    assert.equal(await page.getAttribute("#present-view", "data-view"), "energy");
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("1");
    await page.keyboard.press("ArrowRight"); // 16 -> 18
    await page.waitForFunction(() => document.querySelector(".embed-title")?.textContent.includes("fully recompute · 18×18"));
    const cliOut = JSON.parse(defines(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn",
      "--mode", "1", "--tile", "18x18", "--format", "json"]).toString());
    await page.waitForFunction((e) => document.querySelector('#status[data-state="ready"]') &&
      Number(document.querySelector("#energy")?.dataset.value) === e, cliOut.energy_pj, { timeout: TIMEOUT });
    await page.screenshot({ path: path.join(shots, `present-${width}.png`) });
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await page.getAttribute("#present-view", "data-view"), "heatmaps");
    await page.keyboard.press(" ");
    await page.waitForSelector('.embed[data-sweep="done"]', { timeout: TIMEOUT });
    await page.keyboard.press("?");
    await page.waitForSelector("#shortcuts");
    await page.screenshot({ path: path.join(shots, `present-heatmaps-${width}.png`) });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#present-toggle");
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("accessibility: axe-core finds no serious or critical violation on the main views", async () => {
  const { url } = await serve(dist);
  const axePath = path.join(repo, "node_modules", "axe-core", "axe.min.js");
  for (const q of ["", "?embed=energy&controls=mode,tile", "?embed=fuse", "?present"]) {
    // axe is injected as a script, which the page's CSP rightly refuses.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url + q);
    await numbers(page);
    if (q === "") {
      await page.click("#run-sweep");
      await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
    }
    await page.addScriptTag({ path: axePath });
    const bad = await page.evaluate(async () =>
      (await axe.run(document, { resultTypes: ["violations"] })).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`));
    assert.deepEqual(bad, [], `page ${q || "/"}`);
    await context.close();
  }
});
