package sqlapi_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/internal/corpus"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// BenchmarkSearch measures vestige_search as a client calls it, over 200 generated queries
// per iteration, and reports per-query latency percentiles. 1k memories always; 100k with
// VESTIGE_BENCH_HEAVY=1. Run with `make bench`; numbers go to docs/benchmarks.md.
func BenchmarkSearch(b *testing.B) {
	sizes := []int{1000}
	if os.Getenv("VESTIGE_BENCH_HEAVY") == "1" {
		sizes = append(sizes, 100000)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("memories=%d", n), func(b *testing.B) {
			ctx := context.Background()
			emb, err := embedder.FromName(ctx, "hash-768", embedder.Options{})
			if err != nil {
				b.Fatal(err)
			}
			conn := testdb.Conn(b, testdb.New(b))
			load(b, conn, emb, n)
			gen := corpus.New(7)
			type query struct {
				text, domain string
				vec          pgvector.Vector
			}
			queries := make([]query, 200)
			for i := range queries {
				q := gen.Query()
				v, err := emb.Embed(ctx, q.Text)
				if err != nil {
					b.Fatal(err)
				}
				queries[i] = query{q.Text, q.Domain, pgvector.NewVector(v)}
			}
			cases := []struct {
				name, sql string
				args      func(q query) []any
			}{
				{"hybrid", `SELECT id FROM vestige_search($1, $2, 10)`, func(q query) []any { return []any{q.text, q.vec} }},
				{"fts", `SELECT id FROM vestige_fts_search($1, 10)`, func(q query) []any { return []any{q.text} }},
				{"vector", `SELECT id FROM vestige_vector_search($1, 10)`, func(q query) []any { return []any{q.vec} }},
				{"hybrid-domain", `SELECT id FROM vestige_search($1, $2, 10, domain_filter => ARRAY[$3])`, func(q query) []any { return []any{q.text, q.vec, q.domain} }},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N*len(queries))
					for b.Loop() {
						for _, q := range queries {
							start := time.Now()
							rows, err := conn.Query(ctx, c.sql, c.args(q)...)
							if err != nil {
								b.Fatal(err)
							}
							for rows.Next() {
							}
							if err := rows.Err(); err != nil {
								b.Fatal(err)
							}
							lat = append(lat, time.Since(start))
						}
					}
					slices.Sort(lat)
					ms := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
					b.ReportMetric(ms(0.50), "p50-ms")
					b.ReportMetric(ms(0.99), "p99-ms")
					b.ReportMetric(0, "ns/op")
				})
			}
		})
	}
}

// load inserts n generated memories with embeddings. The HNSW index is dropped during the
// load and rebuilt after it, as a bulk load should.
func load(b *testing.B, conn *pgx.Conn, emb embedder.Embedder, n int) {
	b.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `SELECT vestige_ensure_embedding_model($1, $2, $3)`, emb.ModelName(), emb.Dimension(), emb.ModelHash()); err != nil {
		b.Fatal(err)
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		b.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DROP INDEX idx_memories_embedding_hnsw`); err != nil {
		b.Fatal(err)
	}
	gen := corpus.New(42)
	rows := make([][]any, 0, n)
	for range n {
		m := gen.Memory()
		v, err := emb.Embed(ctx, m.Content)
		if err != nil {
			b.Fatal(err)
		}
		rows = append(rows, []any{m.ID, m.Content, m.NodeType, m.Tags, m.Domains, pgvector.NewVector(v), m.CreatedAt, m.CreatedAt})
	}
	_, err := conn.CopyFrom(ctx, pgx.Identifier{"memories"},
		[]string{"id", "content", "node_type", "tags", "domains", "embedding", "created_at", "updated_at"},
		pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatal(err)
	}
	for _, stmt := range []string{
		`SET maintenance_work_mem = '1GB'`,
		`CREATE INDEX idx_memories_embedding_hnsw ON memories USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
		`RESET maintenance_work_mem`,
		`VACUUM ANALYZE memories`,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			b.Fatal(err)
		}
	}
}
