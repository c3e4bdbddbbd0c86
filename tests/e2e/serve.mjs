// A tiny static file server for dist/ on 127.0.0.1 (end-to-end tests).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
};

/**
 * Serves `root` on a free port of 127.0.0.1, under the path `prefix`
 * (default `/`); resolves to { server, url } (url ends with the prefix).
 * `extra` maps URL paths (under the prefix) to files outside `root`.
 */
export function serveDir(root, prefix = "/", extra = {}) {
  const server = http.createServer((req, res) => {
    const full = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!full.startsWith(prefix)) {
      res.writeHead(404).end("not found");
      return;
    }
    const urlPath = "/" + full.slice(prefix.length);
    let file = extra[urlPath] ?? path.normalize(path.join(root, urlPath));
    if (extra[urlPath]) {
      fs.readFile(file, (err, data) => {
        if (err) return res.writeHead(404).end("not found");
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
        res.end(data);
      });
      return;
    }
    if (!file.startsWith(path.resolve(root))) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, data) => {
      if (err) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, {
        "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(data);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${server.address().port}${prefix}` })),
  );
}
