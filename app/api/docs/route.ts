import { openApiDocument } from '@/lib/http/openapi';
import { renderOpenApiHtml } from '@/lib/http/openapi-html';

// The API reference, readable in a browser: server-rendered from the same document as /api/openapi.json.
export const dynamic = 'force-dynamic';

export function GET() {
  return new Response(renderOpenApiHtml(openApiDocument()), { headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });
}
