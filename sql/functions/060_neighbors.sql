-- Spreading activation: a node's activation is the best, over paths of at most `depth` edges
-- walked in either direction, of the product of edge weights × 0.7 per hop. Relaxation one
-- hop at a time (Bellman-Ford bounded by depth) keeps the work linear in the edges reached,
-- where a recursive CTE over paths would grow with their number.
CREATE FUNCTION vestige_neighbors(node_id uuid, depth integer, edge_type text DEFAULT NULL)
RETURNS TABLE (memory_id uuid, activation double precision, hops integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
#variable_conflict use_variable
DECLARE
    decay constant double precision := 0.7;
    max_nodes constant integer := 256;
    best_ids uuid[] := ARRAY[node_id];
    best_act double precision[] := ARRAY[1.0::double precision];
    best_hops integer[] := ARRAY[0];
    frontier_ids uuid[] := ARRAY[node_id];
    frontier_act double precision[] := ARRAY[1.0::double precision];
    hop integer := 0;
BEGIN
    IF depth IS NULL OR depth < 0 OR depth > 10 THEN
        RAISE EXCEPTION 'depth % is outside 0..10', depth USING ERRCODE = 'VS006';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = node_id) THEN
        RAISE EXCEPTION 'memory % not found', node_id USING ERRCODE = 'VS005';
    END IF;

    WHILE hop < depth AND cardinality(frontier_ids) > 0 LOOP
        hop := hop + 1;
        WITH f AS (
            SELECT * FROM unnest(frontier_ids, frontier_act) AS f(id, act)
        ), reached AS (
            SELECT e.target_id AS id, f.act * e.weight * decay AS act
              FROM f JOIN edges e ON e.source_id = f.id
             WHERE edge_type IS NULL OR e.edge_type = edge_type
            UNION ALL
            SELECT e.source_id, f.act * e.weight * decay
              FROM f JOIN edges e ON e.target_id = f.id
             WHERE edge_type IS NULL OR e.edge_type = edge_type
        ), candidate AS (
            SELECT r.id, max(r.act) AS act FROM reached r GROUP BY r.id
        ), best AS (
            SELECT * FROM unnest(best_ids, best_act, best_hops) AS b(id, act, hops)
        ), improved AS (
            SELECT c.id, c.act FROM candidate c LEFT JOIN best b ON b.id = c.id
             WHERE b.id IS NULL OR c.act > b.act
        ), merged AS (
            SELECT coalesce(i.id, b.id) AS id,
                   coalesce(i.act, b.act) AS act,
                   CASE WHEN i.id IS NOT NULL THEN hop ELSE b.hops END AS hops
              FROM best b FULL JOIN improved i ON i.id = b.id
        )
        SELECT (SELECT array_agg(i.id) FROM improved i), (SELECT array_agg(i.act) FROM improved i),
               array_agg(m.id), array_agg(m.act), array_agg(m.hops)
          INTO frontier_ids, frontier_act, best_ids, best_act, best_hops
          FROM merged m;
        frontier_ids := coalesce(frontier_ids, '{}');
        frontier_act := coalesce(frontier_act, '{}');
    END LOOP;

    RETURN QUERY
        SELECT b.id, b.act, b.hops
          FROM unnest(best_ids, best_act, best_hops) AS b(id, act, hops)
         ORDER BY b.act DESC, b.hops, b.id
         LIMIT max_nodes;
END;
$$;

COMMENT ON FUNCTION vestige_neighbors(uuid, integer, text) IS
'Spreading activation from a memory over edges in both directions (only edges of edge_type when given): activation is the best over paths of at most depth edges of the product of weights × 0.7 per hop. The start node comes first with 1.0 and hops 0; at most 256 rows, ordered by activation desc, hops, id. VS005 for an unknown memory, VS006 for depth outside 0..10.';
