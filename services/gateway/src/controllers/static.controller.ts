import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import type { Logger } from "@hub/common";
import { API, PUBLIC_ALERTS } from "@hub/contracts";
import type { FastifyInstance } from "fastify";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".geojson": "application/geo+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".map": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  immutable: boolean;
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(path)));
    else files.push(path);
  }
  return files;
}

function asset(body: Buffer, path: string): Asset {
  return {
    body,
    type: types[extname(path)] ?? "application/octet-stream",
    etag: `"${createHash("sha1").update(body).digest("base64url")}"`,
    // Vite names built assets by content hash: cache them for good.
    immutable: /\/assets\//.test(path),
  };
}

/**
 * Serves the built dashboard from memory (only the files present at start: no path ever reaches the file system)
 * and the land outline for the offline base map. Unknown paths outside /api get index.html (client routing).
 */
export async function registerStatic(
  app: FastifyInstance,
  options: { webDir: string; landGeojson: string; logger: Logger },
): Promise<void> {
  const assets = new Map<string, Asset>();
  if (existsSync(options.webDir)) {
    for (const file of await walk(options.webDir)) {
      assets.set(`/${relative(options.webDir, file).split("\\").join("/")}`, asset(await readFile(file), file));
    }
  } else {
    options.logger.warn({ webDir: options.webDir }, "dashboard not built (npm run build -w web); serving the API only");
  }
  assets.set(API.landOutline, asset(await readFile(options.landGeojson), options.landGeojson));
  const index = assets.get("/index.html");
  // The public alert page is its own small bundle (web/public.html), open to anyone.
  const publicPage = assets.get("/public.html");
  if (publicPage) assets.set(PUBLIC_ALERTS.page, publicPage);

  app.get("/*", async (request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    if (path.startsWith("/api/") || path.startsWith("/socket.io/") || path.startsWith("/cap/"))
      return reply.callNotFound();
    const found = assets.get(path) ?? (extname(path) === "" ? index : undefined);
    if (!found) return reply.callNotFound();
    reply
      .header("content-type", found.type)
      .header("etag", found.etag)
      .header("x-content-type-options", "nosniff")
      .header("cache-control", found.immutable ? "public, max-age=31536000, immutable" : "no-cache");
    if (found === index || found === publicPage) {
      reply.header(
        "content-security-policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; " +
          "child-src blob:; connect-src 'self' ws: wss: https:; frame-ancestors 'none'",
      );
    }
    if (request.headers["if-none-match"] === found.etag) return reply.code(304).send();
    return reply.send(found.body);
  });
}
