import { DOCS_CSP, docsPage } from '@/lib/http/docs-assets';
import { openApiDocument } from '@/lib/http/openapi';

// The API reference, readable in a browser: Swagger UI, served from this instance, rendering /api/openapi.json.
export const dynamic = 'force-dynamic';

export function GET() {
  return new Response(docsPage(openApiDocument().info.title), {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': DOCS_CSP,
    },
  });
}
