// What every end-to-end test file (and the browser benchmark) shares: the
// paths of the build, the CLI and the screenshots, and headless Chromium
// started the way this machine's closed network needs (no background
// connections).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const dist = process.env.DEFINES_DIST ?? path.join(repo, "dist");
export const cli = process.env.DEFINES_CLI ?? path.join(repo, "target", "release", "defines");
export const shots = path.join(repo, "target", "e2e");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Headless Chromium from Debian's package, without background networking. */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
}

/** Checks that the build and the CLI exist and makes the screenshot folder. */
export function checkBuild() {
  assert.ok(fs.existsSync(path.join(dist, "index.html")), `no build in ${dist}: run cargo xtask build first`);
  assert.ok(fs.existsSync(cli), `no CLI at ${cli}: cargo build --release -p defines-cli`);
  fs.mkdirSync(shots, { recursive: true });
}

/** The page's default LOMA limit (`limits::LPF_PAPER`, the paper's): the
 * CLI runs that check the page's numbers use it unless they name one. */
export const PAGE_LPF = 8;

/** `defines ARGS` (stdout): `eval`, `explain` and `sweep` at the page's lpf
 * unless `args` has `--lpf` (the CLI's own default is the reference's 6). */
export function defines(args, options) {
  const lpf = ["eval", "explain", "sweep"].includes(args[0]) && !args.includes("--lpf");
  return execFileSync(cli, lpf ? [...args, "--lpf", String(PAGE_LPF)] : args, options);
}

/** A full-page screenshot of what a reader sees section by section: the
 * page skips rendering sections out of view (`content-visibility: auto` in
 * web/style.css), which a one-shot capture of the whole page would show
 * blank, so they are rendered for the capture and back to normal after. */
export async function fullPageShot(page, file) {
  const style = await page.addStyleTag({ content: ".layout > main > * { content-visibility: visible !important; }" });
  await page.screenshot({ path: file, fullPage: true });
  await style.evaluate((s) => s.remove());
}

/** Waits until the URL fragment holds a scenario with these fields (the
 * page writes it once changes pause; before the first write there is no
 * fragment to decode). */
export async function waitForScenarioInUrl(page, fields, timeout = 5000) {
  await page.waitForFunction((want) => {
    try {
      const s = JSON.parse(atob(location.hash.slice(3).replace(/-/g, "+").replace(/_/g, "/")));
      return Object.entries(want).every(([k, v]) => s[k] === v);
    } catch {
      return false;
    }
  }, fields, { timeout });
}
