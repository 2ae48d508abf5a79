import { openApiDocument } from '@/lib/http/openapi';

// The OpenAPI 3.1 document, generated from the routes' zod schemas (lib/http/openapi.ts).
export const dynamic = 'force-dynamic';

export function GET() {
  return Response.json(openApiDocument(), { headers: { 'cache-control': 'no-store' } });
}
