import 'server-only';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

// The API reference page (/api/docs) is Swagger UI (npm swagger-ui-dist), served by this instance:
// no CDN, and a Content-Security-Policy that allows scripts from this origin only (no inline script).

/** The files /api/docs/assets/{file} serves: Swagger UI's bundle and style sheet, and the script that starts it. */
export const DOCS_ASSETS = ['swagger-ui-bundle.js', 'swagger-ui.css', 'start.js'] as const;
export type DocsAsset = (typeof DOCS_ASSETS)[number];

export const isDocsAsset = (name: string): name is DocsAsset => (DOCS_ASSETS as readonly string[]).includes(name);

// Starts Swagger UI on the document of this origin. Served as a file, not inline, for the CSP.
const START = `window.addEventListener('DOMContentLoaded', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
  });
});
`;

const root = () => path.join(process.cwd(), 'node_modules', 'swagger-ui-dist');

/** The file's bytes and media type. */
export async function docsAsset(name: DocsAsset): Promise<{ body: string; contentType: string }> {
  const body = name === 'start.js' ? START : await readFile(path.join(root(), name), 'utf8');
  return { body, contentType: name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8' };
}

/** The reference page: the renderer's files from this origin, nothing inline. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI sets style attributes from its scripts.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function docsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title.replace(/[&<>"']/g, '')}</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<noscript><p>The API reference needs JavaScript. The document itself: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p></noscript>
<main id="swagger-ui"></main>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/start.js"></script>
</body>
</html>
`;
}
