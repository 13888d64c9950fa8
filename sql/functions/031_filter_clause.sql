-- The filters, as SQL over `memories m`, shared by both search branches so they apply
-- identically. Parameters: $2 domains, $3 node types, $4 tags, $5 minimum retrievability,
-- $6 FSRS decay. Only the filters in use are emitted, so each query is planned for them.
-- An empty array is no filter, exactly like NULL (as on the SQLite backend): a caller that
-- builds the list from an empty selection means "any", never "none".
CREATE FUNCTION vestige_filter_clause(domain_filter text[], node_type_filter text[], tag_filter text[], min_retrievability double precision)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN concat(
    CASE WHEN cardinality(domain_filter) > 0 THEN ' AND m.domains && $2' END,
    CASE WHEN cardinality(node_type_filter) > 0 THEN ' AND m.node_type = ANY ($3)' END,
    CASE WHEN cardinality(tag_filter) > 0 THEN ' AND m.tags && $4' END,
    CASE WHEN min_retrievability IS NOT NULL THEN
        ' AND coalesce((SELECT vestige_forgetting_curve(s.stability, extract(epoch FROM (now() - s.last_review)) / 86400.0, $6)'
        ' FROM scheduling s WHERE s.memory_id = m.id AND s.last_review IS NOT NULL), 1.0) >= $5'
    END
);

COMMENT ON FUNCTION vestige_filter_clause(text[], text[], text[], double precision) IS
'Internal building block of the search functions: the SQL filter conditions in use (domains overlap, node type in, tags overlap, live retrievability >=); a NULL or empty array is no filter. Not meant to be called directly.';
