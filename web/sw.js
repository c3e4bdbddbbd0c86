// The playground's service worker: precaches every file of this build on
// the first visit, then serves them from the cache, so the page opens and
// computes with the network off (a talk in a conference room). Written into
// dist/ by `cargo xtask build` from web/sw.js: __VERSION__ is a hash of the
// build's files and __FILES__ their list. A new deploy is a new version: it
// installs its own cache and deletes the old ones, and the page reloads
// once when the new version takes over, so old and new files never mix.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `defines-playground-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(FILES.map((f) => new Request(f, { cache: "reload" }))))
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
    return hit ?? fetch(request);
  })());
});
