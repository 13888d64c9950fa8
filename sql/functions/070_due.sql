-- New cards (no scheduling row with a next review) are due from their creation time,
-- reviewed ones at next_review. Each side reads its own index in due order, new cards from
-- new_cards (migration 005: memories alone cannot tell them apart without walking every
-- reviewed memory), so the cost follows match_count, not the table size.
CREATE FUNCTION vestige_due(before timestamptz DEFAULT now(), match_count integer DEFAULT 10)
RETURNS TABLE (id uuid, content text, node_type text, tags text[], domains text[], domain_scores jsonb,
    metadata jsonb, created_at timestamptz, updated_at timestamptz, due_at timestamptz,
    state smallint, step integer, stability double precision, difficulty double precision,
    retrievability double precision, last_review timestamptz, next_review timestamptz,
    reps integer, lapses integer)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH due AS (
        (SELECT n.memory_id AS id, n.created_at AS due_at
           FROM new_cards n
          WHERE n.created_at <= before
          ORDER BY n.created_at, n.memory_id
          LIMIT match_count)
        UNION ALL
        (SELECT s.memory_id, s.next_review
           FROM scheduling s
          WHERE s.next_review <= before
          ORDER BY s.next_review, s.memory_id
          LIMIT match_count)
    )
    SELECT m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
           m.created_at, m.updated_at, due.due_at,
           s.state, s.step, s.stability, s.difficulty, s.retrievability, s.last_review, s.next_review,
           s.reps, s.lapses
      FROM due
      JOIN memories m ON m.id = due.id
      LEFT JOIN scheduling s ON s.memory_id = m.id
     ORDER BY due.due_at, m.id
     LIMIT match_count
$$;

COMMENT ON FUNCTION vestige_due(timestamptz, integer) IS
'Memories due for review by `before` (default now()), earliest due first (ties by id), at most match_count. A new card (never reviewed) is due from its creation time and has NULL scheduling columns; a reviewed one is due at next_review.';
