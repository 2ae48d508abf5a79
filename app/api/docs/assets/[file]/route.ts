import { docsAsset, isDocsAsset } from '@/lib/http/docs-assets';
import { problem, problemResponse } from '@/lib/http/problem';

// The files of the API reference page (/api/docs), from this instance: no CDN.
export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  if (!isDocsAsset(file))
    return problemResponse(problem('not-found', `No API endpoint at ${new URL(request.url).pathname}.`));
  const { body, contentType } = await docsAsset(file);
  return new Response(body, {
    headers: {
      'content-type': contentType,
      'cache-control': 'public, max-age=3600',
      'x-content-type-options': 'nosniff',
    },
  });
}
