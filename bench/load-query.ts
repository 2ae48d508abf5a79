// The load statement as proposed in bench/RESULTS.md: same parameters and result as
// lib/event-store.ts loadForCommand ($1 stream ids, $2 snapshot schema, $3 command id, $4 stream ids
// again), but the events are read per stream through a LATERAL join, so the (stream_id, version)
// index is entered at the snapshot's version instead of scanning the whole stream and filtering.
export const PROPOSED_LOAD_SQL = `
    WITH usable AS (
      SELECT s.stream_id, s.version, s.state FROM snapshots s
       WHERE s.stream_id = ANY($1::text[]) AND s.schema_version = $2
    )
    SELECT
      (SELECT json_build_object('commandId', c.command_id, 'type', c.type, 'streamIds', c.stream_ids,
              'fingerprint', c.fingerprint, 'status', c.status, 'outcome', c.outcome, 'createdAt', c.created_at)
         FROM commands c WHERE c.command_id = $3) AS command,
      (SELECT json_agg(json_build_object('streamId', u.stream_id, 'version', u.version, 'state', u.state)) FROM usable u) AS snapshots,
      (SELECT json_agg(json_build_object('globalPosition', e.global_position::text, 'streamId', e.stream_id,
              'version', e.version, 'type', e.type, 'data', e.data, 'metadata', e.metadata,
              'commandId', e.command_id, 'createdAt', e.created_at) ORDER BY e.stream_id, e.version)
         FROM unnest($4::text[]) AS wanted(stream_id)
         LEFT JOIN usable u ON u.stream_id = wanted.stream_id
         CROSS JOIN LATERAL (
           SELECT * FROM events e
            WHERE e.stream_id = wanted.stream_id AND e.version > COALESCE(u.version, 0)
         ) e) AS events`;
