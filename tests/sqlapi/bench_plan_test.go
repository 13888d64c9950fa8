package sqlapi_test

// planRRFVerbatim is the plan's own hybrid statement (shared/spec/phase-2-postgres-backend.md,
// seed D5) as written there but for the result columns' sqlx type annotations; it runs against
// vestige's search_vec, which is the plan's generated column with DESIGN.md's fix (an
// IMMUTABLE wrapper function). $1 text, $2 embedding, $3 overfetch per branch (3 × limit in
// the plan), $4 limit, $5–$7 domain, node-type and tag filters.
//
// As written it never uses the HNSW index: the query vector reaches the vector CTE as a column
// of the materialised params CTE, not as a parameter, so Postgres computes every distance and
// sorts all rows (1.2 s at 100k, most of it an external sort of the 3 KB rows). The benchmark's
// baseline is therefore planRRF below; this form is kept to show the difference (case
// plan-rrf-verbatim, 1k only).
const planRRFVerbatim = `WITH params AS (
SELECT
$1::text AS q_text,
$2::vector AS q_vec,
$3::int AS overfetch,
$4::int AS final_limit,
$5::text[] AS dom_filter,
$6::text[] AS nt_filter,
$7::text[] AS tag_filter
),
fts AS (
SELECT m.id,
ts_rank_cd(m.search_vec, websearch_to_tsquery('english', p.q_text)) AS score,
ROW_NUMBER() OVER (
ORDER BY ts_rank_cd(m.search_vec, websearch_to_tsquery('english', p.q_text)) DESC
) AS rank
FROM memories m, params p
WHERE p.q_text <> ''
AND m.search_vec @@ websearch_to_tsquery('english', p.q_text)
AND (p.dom_filter IS NULL OR m.domains && p.dom_filter)
AND (p.nt_filter IS NULL OR m.node_type = ANY(p.nt_filter))
AND (p.tag_filter IS NULL OR m.tags && p.tag_filter)
LIMIT (SELECT overfetch FROM params)
),
vec AS (
SELECT m.id,
1 - (m.embedding <=> p.q_vec) AS score,
ROW_NUMBER() OVER (
ORDER BY m.embedding <=> p.q_vec
) AS rank
FROM memories m, params p
WHERE m.embedding IS NOT NULL
AND p.q_vec IS NOT NULL
AND (p.dom_filter IS NULL OR m.domains && p.dom_filter)
AND (p.nt_filter IS NULL OR m.node_type = ANY(p.nt_filter))
AND (p.tag_filter IS NULL OR m.tags && p.tag_filter)
LIMIT (SELECT overfetch FROM params)
),
fused AS (
SELECT COALESCE(f.id, v.id) AS id,
COALESCE(1.0 / (60 + f.rank), 0.0)
+ COALESCE(1.0 / (60 + v.rank), 0.0) AS rrf_score,
f.score AS fts_score,
v.score AS vector_score
FROM fts f FULL OUTER JOIN vec v ON f.id = v.id
)
SELECT m.id,
m.domains,
m.domain_scores,
m.content,
m.node_type,
m.tags,
m.embedding,
m.metadata,
m.created_at,
m.updated_at,
fused.rrf_score,
fused.fts_score,
fused.vector_score
FROM fused
JOIN memories m ON m.id = fused.id
ORDER BY fused.rrf_score DESC
LIMIT (SELECT final_limit FROM params)`

// planRRF is planRRFVerbatim with each parameter written where it is used instead of read
// from the params CTE: the same statement as the planner can run it (HNSW for the vector CTE,
// and so the plan's short filtered pages, as DESIGN.md §8 measured). The named baseline.
const planRRF = `WITH fts AS (
SELECT m.id,
ts_rank_cd(m.search_vec, websearch_to_tsquery('english', $1::text)) AS score,
ROW_NUMBER() OVER (
ORDER BY ts_rank_cd(m.search_vec, websearch_to_tsquery('english', $1::text)) DESC
) AS rank
FROM memories m
WHERE $1::text <> ''
AND m.search_vec @@ websearch_to_tsquery('english', $1::text)
AND ($5::text[] IS NULL OR m.domains && $5::text[])
AND ($6::text[] IS NULL OR m.node_type = ANY($6::text[]))
AND ($7::text[] IS NULL OR m.tags && $7::text[])
LIMIT $3
),
vec AS (
SELECT m.id,
1 - (m.embedding <=> $2::vector) AS score,
ROW_NUMBER() OVER (
ORDER BY m.embedding <=> $2::vector
) AS rank
FROM memories m
WHERE m.embedding IS NOT NULL
AND $2::vector IS NOT NULL
AND ($5::text[] IS NULL OR m.domains && $5::text[])
AND ($6::text[] IS NULL OR m.node_type = ANY($6::text[]))
AND ($7::text[] IS NULL OR m.tags && $7::text[])
LIMIT $3
),
fused AS (
SELECT COALESCE(f.id, v.id) AS id,
COALESCE(1.0 / (60 + f.rank), 0.0)
+ COALESCE(1.0 / (60 + v.rank), 0.0) AS rrf_score,
f.score AS fts_score,
v.score AS vector_score
FROM fts f FULL OUTER JOIN vec v ON f.id = v.id
)
SELECT m.id,
m.domains,
m.domain_scores,
m.content,
m.node_type,
m.tags,
m.embedding,
m.metadata,
m.created_at,
m.updated_at,
fused.rrf_score,
fused.fts_score,
fused.vector_score
FROM fused
JOIN memories m ON m.id = fused.id
ORDER BY fused.rrf_score DESC
LIMIT $4`
