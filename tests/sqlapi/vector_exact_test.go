package sqlapi_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// Where an exact ranking is cheap (the vector branch's budget: 1.5 M vector components
// unfiltered, 4 M passing a filter; short vectors count as 384 dimensions), the vector branch
// returns exactly the exact top k, in order. Random vectors are what HNSW finds hardest (the
// graph of flat data misses neighbours), so a walk would show itself here. The second table
// is just above the unfiltered budget: unfiltered it walks the graph, while a filter passing
// half of it (under the filtered budget) still ranks exactly.
func TestVectorBranchIsExactWhereCheap(t *testing.T) {
	cases := []struct {
		name    string
		n       int
		filters []string // the domain filters whose top 10 must be exact ("" is none)
	}{
		{"3900 rows", 3900, []string{"", "half", "tenth"}},
		{"6000 rows", 6000, []string{"half", "tenth"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDB(t)
			const dim = 384
			d.exec(fmt.Sprintf(`SELECT vestige_ensure_embedding_model('random-%d', %d, 'test')`, dim, dim))
			d.exec(`SELECT setseed(0.17)`)
			d.exec(fmt.Sprintf(`
				INSERT INTO memories (content, domains, embedding)
				SELECT 'memory ' || i,
				       CASE WHEN i %% 10 = 0 THEN ARRAY['half', 'tenth'] WHEN i %% 2 = 0 THEN ARRAY['half'] ELSE ARRAY['rest'] END,
				       (SELECT array_agg(random() - 0.5) FROM generate_series(1, %d) WHERE i > 0)::vector
				  FROM generate_series(1, %d) AS i`, dim, c.n))
			d.exec(`ANALYZE memories`)

			rng := rand.New(rand.NewPCG(3, 4))
			walkMissed := 0
			for qi := range 10 {
				query := make([]float32, dim)
				for i := range query {
					query[i] = float32(rng.Float64() - 0.5)
				}
				q := literal(query)
				for _, f := range c.filters {
					var dom []string
					if f != "" {
						dom = []string{f}
					}
					want := collectIDs(t, d, `SELECT id FROM memories
						WHERE embedding IS NOT NULL AND ($2::text[] IS NULL OR domains && $2)
						ORDER BY (embedding <=> $1::vector) + 0, id LIMIT 10`, q, dom)
					got := collectIDs(t, d, `SELECT id FROM vestige_vector_ranked($1::vector, 10, domain_filter => $2) ORDER BY rank`, q, dom)
					require.Len(t, want, 10)
					require.Equal(t, want, got, "query %d, filter %q", qi, f)
					if f == "" {
						walkMissed += len(want) - overlap(want, walk(t, d, q))
					}
				}
			}
			if slices.Contains(c.filters, "") {
				require.Positive(t, walkMissed, "the graph walk alone finds every exact neighbour: this data cannot tell exact from HNSW")
			}
		})
	}
}

// walk is the top 10 of the HNSW index alone at a low ef_search.
func walk(t *testing.T, d *db, q string) []uuid.UUID {
	t.Helper()
	tx, err := d.conn.Begin(context.Background())
	require.NoError(t, err)
	defer tx.Rollback(context.Background()) //nolint:errcheck // read-only
	_, err = tx.Exec(context.Background(), `SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = 20`)
	require.NoError(t, err)
	rows, err := tx.Query(context.Background(), `SELECT id FROM memories ORDER BY embedding <=> $1::vector LIMIT 10`, q)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	require.NoError(t, err)
	return out
}

func overlap(a, b []uuid.UUID) int {
	n := 0
	for _, x := range a {
		if slices.Contains(b, x) {
			n++
		}
	}
	return n
}

func collectIDs(t *testing.T, d *db, sql string, args ...any) []uuid.UUID {
	t.Helper()
	rows, err := d.conn.Query(context.Background(), sql, args...)
	require.NoError(t, err, sql)
	out, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	require.NoError(t, err, sql)
	return out
}
