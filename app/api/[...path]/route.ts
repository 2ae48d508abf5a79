import { problem, problemResponse } from '@/lib/http/problem';

// Unknown API paths answer with a problem document, not the HTML 404 page.
const notFound = (request: Request) => problemResponse(problem('not-found', `No API endpoint at ${new URL(request.url).pathname}.`));

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
