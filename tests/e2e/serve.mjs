// A tiny static file server for dist/ on 127.0.0.1 (end-to-end tests).
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";

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
 * `opts.host`: serve as a static host does (gzip, ETag, `max-age=600`) and
 * record each response of a file of `root` in `served` ({ path, status,
 * bytes }).
 */
export function serveDir(root, prefix = "/", extra = {}, opts = {}) {
  const served = [];
  const gzipped = new Map();
  if (opts.host) {
    for (const f of fs.readdirSync(root)) {
      const full = path.join(root, f);
      if (fs.statSync(full).isFile()) gzipped.set(full, zlib.gzipSync(fs.readFileSync(full), { level: 9 }));
    }
  }
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
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      if (!opts.host) {
        res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
        res.end(data);
        return;
      }
      // As a static host serves (GitHub Pages): gzip, a validator, a short
      // max-age; what each response sends is recorded.
      const etag = `"${crypto.createHash("sha1").update(data).digest("hex")}"`;
      const headers = { "content-type": type, "cache-control": "max-age=600", etag };
      if (req.headers["if-none-match"] === etag) {
        served.push({ path: urlPath, status: 304, bytes: 0 });
        res.writeHead(304, headers).end();
        return;
      }
      const gz = /\bgzip\b/.test(req.headers["accept-encoding"] ?? "");
      // compressed once per file, as a host stores it
      if (gz && !gzipped.has(file)) gzipped.set(file, zlib.gzipSync(data, { level: 9 }));
      const body = gz ? gzipped.get(file) : data;
      if (gz) headers["content-encoding"] = "gzip";
      served.push({ path: urlPath, status: 200, bytes: body.length });
      res.writeHead(200, headers);
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, served, url: `http://127.0.0.1:${server.address().port}${prefix}` })),
  );
}
