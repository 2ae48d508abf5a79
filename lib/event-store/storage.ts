// The store's row forms without the engine: a second face of lib/event-store for code that reads the
// log in processes outside Next.js (the projection runner, scripts), where the engine's own modules
// (marked server-only) cannot be imported: how an event's metadata is put back together from its
// columns. Nothing that writes.
export { storedMetadataSql } from './types';
export { streamIs, streamIsAnyOf } from './stream-key';
