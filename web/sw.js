// The playground's service worker: precaches every file of this build on
// the first visit, then serves them from the cache, so the page opens and
// computes with the network off (a talk in a conference room). Written into
// dist/ by `cargo xtask build` from web/sw.js: __VERSION__ is a hash of the
// build's files, __FILES__ the list to precache and __LAZY__ the files
// cached on first use. A new deploy is a new version: it
// installs its own cache and deletes the old ones, and the page reloads
// once when the new version takes over, so old and new files never mix.
const VERSION = "__VERSION__";
const FILES = __FILES__;
// The import worker's files: not precached (a first visit does not need
// them), but kept in this version's cache once fetched, so a file dropped
// once online can be dropped again offline.
const LAZY = __LAZY__;
const CACHE = `defines-playground-${VERSION}`;

// The page has just loaded most of these files: a content-hashed name
// (Trunk's `name-<16 hex>.ext`) is the same bytes wherever it comes from,
// so the HTTP cache may answer; any other name is revalidated with the
// server (a 304 when unchanged), never taken stale. A first visit thus
// sends each file's body once, not once for the page and again here.
function fresh(file) {
  return /-[0-9a-f]{16}(_bg)?\.[a-z]+$/.test(file) ? "default" : "no-cache";
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: fresh(f) }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("defines-playground-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(self.registration.scope)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    // The page itself, whatever its query (?embed=...) or fragment.
    const key = request.mode === "navigate" ? new URL("./", self.registration.scope).href : request;
    const hit = await cache.match(key, { ignoreSearch: true });
    if (hit) return hit;
    const response = await fetch(request);
    const lazy = LAZY.some((f) => new URL(f, self.registration.scope).href === request.url);
    if (lazy && response.ok) await cache.put(request, response.clone());
    return response;
  })());
});
