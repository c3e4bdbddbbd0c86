// End-to-end tests of exploring one's own hardware and the fuse depth: the
// hardware form, a "what if" slider, a hardware sweep, the cut strip and a
// fuse-depth sweep, each compared with the native CLI (`defines eval` /
// `defines sweep`) bit for bit. Screenshots at 1280x800 go to target/e2e/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { serveDir } from "./serve.mjs";
import { checkBuild, cli, dist, launchChromium, repo, shots, defines } from "./env.mjs";

const TIMEOUT = 120_000;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "defines-e2e-"));

let server, url, browser;

before(async () => {
  checkBuild();
  ({ server, url } = await serveDir(dist));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const run = (args) => JSON.parse(defines(args).toString());

/** `defines eval` on a hardware document (text) written to a file. */
function evalWith(hardwareText, { mode = 3, tile = "16x18", cuts } = {}) {
  const file = path.join(tmp, `hw-${Date.now()}-${Math.random()}.json`);
  fs.writeFileSync(file, hardwareText);
  const args = ["eval", "--hardware", file, "--workload", "fsrcnn", "--mapping", "Meta_prototype__fsrcnn",
    "--mode", String(mode), "--tile", tile, "--format", "json"];
  if (cuts !== undefined) args.push("--stack-cuts", cuts);
  return run(args);
}

async function open() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(url);
  await ready(page);
  return { page, context, errors };
}

async function ready(page) {
  await page.waitForSelector('#status[data-state="ready"]', { timeout: TIMEOUT });
}

/** Waits until the page shows exactly the numbers of a CLI report. */
async function showsReport(page, r) {
  await page.waitForFunction(
    ([e, l]) =>
      document.querySelector('#status[data-state="ready"]') &&
      Number(document.querySelector("#energy")?.dataset.value) === e &&
      Number(document.querySelector("#latency")?.dataset.value) === l,
    [r.energy_pj, r.latency_cycles],
    { timeout: TIMEOUT },
  ).catch(async (e) => {
    const got = await page.getAttribute("#energy", "data-value");
    throw new Error(`page shows ${got} pJ, CLI ${r.energy_pj}: ${e.message}`);
  });
}

const hardwareJson = (page) => page.inputValue("#json-hardware");

/** The row of a memory in the form. */
async function levelIndex(page, name) {
  const names = await page.$$eval("#hw-levels tbody tr[id^=hw-level-] td:nth-child(2) input", (xs) => xs.map((x) => x.value));
  const i = names.indexOf(name);
  assert.ok(i >= 0, `${name} in ${names}`);
  return i;
}

test("hardware form: a memory size, a new level and a broken field, against the CLI", async () => {
  const { page, context, errors } = await open();
  await page.click("#editor-hardware summary");
  const i = await levelIndex(page, "sram_64KB");
  assert.equal(await page.inputValue(`#hw-${i}-size_bits`), "64 KB");
  await page.screenshot({ path: path.join(shots, "hw-form-top.png") });
  // A smaller memory: the JSON editor shows it, and the CLI on that JSON agrees.
  await page.fill(`#hw-${i}-size_bits`, "16 KB");
  await page.press(`#hw-${i}-size_bits`, "Enter");
  await page.waitForFunction(() => document.querySelector("#json-hardware").value.includes("131072"));
  const small = evalWith(await hardwareJson(page));
  await showsReport(page, small);
  const ms = Number(await page.getAttribute("#status", "data-ms"));
  console.log(`# warm re-evaluation after a memory size change (default scenario): ${ms} ms`);
  assert.ok(small.energy_pj > 1822760872.09, "a smaller buffer costs energy");
  // Add a level above it: a new row, still evaluates, still the CLI's numbers.
  const rows = await page.locator("#hw-levels tbody tr[id^=hw-level-]").count();
  await page.click(`#hw-add-${i}`);
  await page.waitForFunction((n) => document.querySelectorAll("#hw-levels tbody tr[id^=hw-level-]").length === n + 1, rows);
  assert.equal(await page.inputValue(`#hw-name-${i + 1}`), "new_memory");
  await showsReport(page, evalWith(await hardwareJson(page)));
  await page.locator("#hw-form").screenshot({ path: path.join(shots, "hw-form.png") });
  // Break a field: it is marked, named, nothing runs; a reload keeps it.
  await page.fill(`#hw-${i}-r_cost_pJ_per_access`, "cheap");
  await page.press(`#hw-${i}-r_cost_pJ_per_access`, "Enter");
  await page.waitForSelector('#status[data-state="invalid"]', { timeout: TIMEOUT });
  assert.equal(await page.getAttribute(`#hw-${i}-r_cost_pJ_per_access`, "aria-invalid"), "true");
  const diag = await page.textContent("#editor-hardware .diagnostics");
  assert.match(diag, new RegExp(`memory_levels\\[${i}\\]\\.instance\\.r_cost_pJ_per_access`));
  await page.locator("#hw-form").screenshot({ path: path.join(shots, "hw-form-invalid.png") });
  await page.waitForTimeout(400); // the scenario is written at most every 250 ms
  await page.reload();
  await page.waitForSelector(`#hw-${i}-r_cost_pJ_per_access`);
  assert.equal(await page.inputValue(`#hw-${i}-r_cost_pJ_per_access`), "cheap", "kept across a reload");
  assert.equal(await page.inputValue(`#hw-name-${i + 1}`), "new_memory");
  assert.deepEqual(errors, []);
  await context.close();
});

test("a what-if slider re-evaluates live and equals the CLI's varied point", async () => {
  const { page, context, errors } = await open();
  await page.selectOption("#add-slider", "sram_64KB.size_bits");
  await page.waitForSelector("#what-if-0");
  await page.fill("#what-if-0", "7"); // one x2 step down: 32 KB
  await page.waitForFunction(() => document.querySelector("#what-if-0-value")?.textContent === "32 KB");
  const r = run(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles-x", "16", "--tiles-y", "18",
    "--modes", "3", "--vary", "sram_64KB.size_bits=262144", "--format", "json"]).schedules[0];
  await showsReport(page, r);
  await page.locator("aside").screenshot({ path: path.join(shots, "what-if.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("hardware sweep: two fields as a heat map, every point equal to the CLI's", async () => {
  const { page, context, errors } = await open();
  await page.click("#sweep-hardware");
  await page.selectOption("#vary-0", "sram_64KB.size_bits");
  await page.fill("#vary-0-values", "16 KB, 64 KB");
  await page.selectOption("#vary-1", "dram.r_cost_pJ_per_access");
  await page.fill("#vary-1-values", "350, 700, 1400");
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
  const cli = run(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles-x", "16", "--tiles-y", "18",
    "--modes", "3", "--vary", "sram_64KB.size_bits=131072,524288", "--vary", "dram.r_cost_pJ_per_access=350,700,1400",
    "--format", "json"]).schedules;
  assert.equal(cli.length, 6);
  for (let k = 0; k < 6; k++) {
    assert.equal(Number(await page.getAttribute(`#hw-row-${k}`, "data-energy")), cli[k].energy_pj, `point ${k}`);
    assert.equal(Number(await page.getAttribute(`#hw-row-${k}`, "data-latency")), cli[k].latency_cycles, `point ${k}`);
  }
  await page.locator("#sweep-results").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "hw-sweep.png") });
  // A row loads its hardware: the page then shows that point's numbers.
  await page.click("#hw-row-0");
  await showsReport(page, cli[0]);
  assert.deepEqual(errors, []);
  await context.close();
});

test("hardware sweep at the best schedule of the grid equals the CLI's --best", async () => {
  const { page, context, errors } = await open();
  await page.click("#sweep-hardware");
  await page.selectOption("#vary-0", "dram.r_cost_pJ_per_access");
  await page.fill("#vary-0-values", "350, 1400");
  await page.click("#at-best");
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
  const cli = run(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles", "case-study-1",
    "--vary", "dram.r_cost_pJ_per_access=350,1400", "--best", "--format", "json"]).schedules;
  assert.equal(cli.length, 2);
  for (let k = 0; k < 2; k++) {
    assert.equal(Number(await page.getAttribute(`#hw-row-${k}`, "data-energy")), cli[k].energy_pj, `point ${k}`);
    assert.equal(Number(await page.getAttribute(`#hw-row-${k}`, "data-latency")), cli[k].latency_cycles, `point ${k}`);
  }
  await page.locator("#sweep-results").screenshot({ path: path.join(shots, "hw-sweep-lines.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("fuse depth: the cut strip and a sweep over cut sets, against the CLI", async () => {
  const { page, context, errors } = await open();
  await page.click("#gap-3");
  await showsReport(page, evalWith(await hardwareJson(page), { cuts: "3" }));
  assert.equal(await page.locator("#stacks li").count(), 2);
  await page.locator("#fuse-depth").screenshot({ path: path.join(shots, "fuse-depth.png") });
  await page.click("#cuts-auto");
  await showsReport(page, evalWith(await hardwareJson(page)));
  // Sweep the strip's (automatic) cuts and "cut all" over the case-study grid.
  await page.check("#cut-choice-cut");
  await page.click("#run-sweep");
  await page.waitForSelector('#sweep-count[data-state="done"]', { timeout: TIMEOUT });
  assert.equal(await page.getAttribute("#sweep-count", "data-total"), "216");
  const cli = run(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles", "case-study-1",
    "--cuts", "auto,all", "--best", "--format", "json"]).schedules;
  assert.equal(cli.length, 2);
  for (let g = 0; g < 2; g++) {
    assert.equal(Number(await page.getAttribute(`#cut-group-${g}`, "data-best-edp")), cli[g].edp, `cut set ${g}`);
  }
  await page.click("#cut-group-1");
  await page.locator("#sweep-results").scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "fuse-sweep.png") });
  // "cut all" cuts after layer 0: the page says Q36 applies; with the fix
  // the sweep equals the CLI's fixed one.
  await page.waitForSelector("#sweep-q36");
  await page.check("#fix-q36");
  await ready(page);
  await page.click("#run-sweep");
  await page.waitForFunction(() => !document.querySelector("#sweep-q36") &&
    document.querySelector("#sweep-count")?.dataset.state === "done", null, { timeout: TIMEOUT });
  const fixed = run(["sweep", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--tiles", "case-study-1",
    "--cuts", "auto,all", "--fix", "q36", "--best", "--format", "json"]).schedules;
  for (let g = 0; g < 2; g++) {
    assert.equal(Number(await page.getAttribute(`#cut-group-${g}`, "data-best-edp")), fixed[g].edp, `fixed cut set ${g}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test("Q36 on TPU_like: shown in the strip, and the fix gives the CLI's fixed numbers", async () => {
  const { page, context, errors } = await open();
  await page.selectOption("#hardware", "TPU_like");
  await ready(page);
  await page.waitForSelector("#q36.active");
  await page.check("#fix-q36");
  const fixed = run(["eval", "--hardware", "TPU_like", "--workload", "fsrcnn", "--mode", "3", "--tile", "16x18",
    "--fix", "q36", "--format", "json"]);
  await showsReport(page, fixed);
  await page.locator("#fuse-depth").screenshot({ path: path.join(shots, "fuse-q36.png") });
  assert.deepEqual(errors, []);
  await context.close();
});

test("an ONNX file becomes the network: its report, and the CLI's numbers for it", async () => {
  const { page, context, errors } = await open();
  const onnx = path.join(repo, "crates", "import", "tests", "data", "resnet18.onnx");
  // Dropped on the page, as a user drags it from the file manager.
  const dt = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const d = new DataTransfer();
    d.items.add(new File([bytes], "resnet18.onnx"));
    return d;
  }, fs.readFileSync(onnx).toString("base64"));
  await page.dispatchEvent("main", "drop", { dataTransfer: dt });
  await page.waitForSelector('#import[data-state="done"]', { timeout: TIMEOUT });
  assert.match(await page.textContent("#import-report"), /Conv/);
  const want = run(["eval", "--hardware", "Meta_prototype_DF", "--workload", onnx, "--mode", "3", "--tile", "16x18", "--format", "json"]);
  await showsReport(page, want);
  await page.locator("#import").screenshot({ path: path.join(shots, "onnx-import.png") });
  // Kept across a reload (as the generated workload document).
  await page.waitForTimeout(400);
  await page.reload();
  await showsReport(page, want);
  // A file that is not ONNX: the reason, and the network stays.
  const junk = path.join(tmp, "junk.onnx");
  fs.writeFileSync(junk, "not a model");
  await page.setInputFiles("#onnx-file", junk);
  await page.waitForSelector('#import[data-state="failed"]', { timeout: TIMEOUT });
  await showsReport(page, want);
  // A model with dynamic sizes needs its input shape (a super-resolution
  // network at 974x554): refused without, imported with it; the page's
  // documents give the CLI's numbers.
  const fsrcnn = path.join(repo, "crates", "import", "tests", "data", "fsrcnn.onnx");
  await page.setInputFiles("#onnx-file", fsrcnn);
  await page.waitForSelector('#import[data-state="failed"]', { timeout: TIMEOUT });
  assert.match(await page.textContent("#import-headline"), /input shape/);
  await page.fill("#onnx-shape", "1x1x554x974");
  await page.setInputFiles("#onnx-file", []);
  await page.setInputFiles("#onnx-file", fsrcnn);
  await page.waitForSelector('#import[data-state="done"]', { timeout: TIMEOUT });
  await page.waitForFunction(() => document.querySelector("#json-workload")?.value.includes("fsrcnn"));
  const wl = path.join(tmp, "fsrcnn-w.json");
  const mp = path.join(tmp, "fsrcnn-m.json");
  fs.writeFileSync(wl, await page.inputValue("#json-workload"));
  fs.writeFileSync(mp, await page.inputValue("#json-mapping"));
  const sr = run(["eval", "--hardware", "Meta_prototype_DF", "--workload", wl, "--mapping", mp, "--mode", "3", "--tile", "16x18", "--format", "json"]);
  await showsReport(page, sr);
  assert.deepEqual(errors, []);
  await context.close();
});

test("ZigZag YAML files dropped together become the three documents, with the preset's numbers", async () => {
  const { page, context, errors } = await open();
  const dir = path.join(repo, "crates", "import", "tests", "data", "zigzag");
  const names = ["meta_prototype_df.yaml", "meta_prototype_fsrcnn_mapping.yaml", "fsrcnn.yaml"];
  const dt = await page.evaluateHandle((files) => {
    const d = new DataTransfer();
    for (const [name, text] of files) d.items.add(new File([text], name));
    return d;
  }, names.map((n) => [n, fs.readFileSync(path.join(dir, n), "utf8")]));
  // Start from another schedule so that the answer is a fresh one.
  await page.click("#mode-1");
  await ready(page);
  await page.dispatchEvent("main", "drop", { dataTransfer: dt });
  await page.waitForSelector('#import[data-state="done"]', { timeout: TIMEOUT });
  assert.match(await page.textContent("#import-headline"), /accelerator, its mapping and the network/);
  const want = run(["eval", "--hardware", "Meta_prototype_DF", "--workload", "fsrcnn", "--mode", "1", "--tile", "16x18", "--format", "json"]);
  await showsReport(page, want);
  assert.match(await page.inputValue("#json-hardware"), /"name": "Meta_prototype_DF"/);
  await page.locator("#import").screenshot({ path: path.join(shots, "zigzag-import.png") });
  assert.deepEqual(errors, []);
  await context.close();
});
