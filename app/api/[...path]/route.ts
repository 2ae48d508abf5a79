import { noEndpoint } from '@/lib/http/problem';

// Unknown API paths answer with a problem document, not the HTML 404 page.
// The path is not repeated back: an answer never echoes what the request sent.
const notFound = () => noEndpoint();

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
