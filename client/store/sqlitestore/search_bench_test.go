package sqlitestore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/internal/corpus"
)

// BenchmarkSearchSynthetic is BenchmarkSearch of tests/sqlapi on SQLite: the generated
// corpus (internal/corpus, seed 42) embedded with hash-768, 200 generated queries (seed 7)
// per iteration, latency per query as p50 and p99. 1k memories; 100k with
// VESTIGE_BENCH_HEAVY=1. Loading 100k takes minutes: VESTIGE_BENCH_SQLITE_DIR keeps the
// loaded files in that folder and reuses them (to compare two builds on the same data).
func BenchmarkSearchSynthetic(b *testing.B) {
	sizes := []int{1000}
	if os.Getenv("VESTIGE_BENCH_HEAVY") == "1" {
		sizes = append(sizes, 100_000)
	}
	ctx := context.Background()
	emb, err := embedder.FromName(ctx, "hash-768", embedder.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("memories=%d", n), func(b *testing.B) {
			s := syntheticStore(b, emb, n)
			gen := corpus.New(7)
			type query struct {
				text, domain string
				vec          []float32
			}
			queries := make([]query, 200)
			for i := range queries {
				q := gen.Query()
				v, err := emb.Embed(ctx, q.Text)
				if err != nil {
					b.Fatal(err)
				}
				queries[i] = query{q.Text, q.Domain, v}
			}
			cases := []struct {
				name string
				q    func(q query) store.SearchQuery
			}{
				{"hybrid", func(q query) store.SearchQuery { return store.SearchQuery{Text: q.text, Embedding: q.vec} }},
				{"fts", func(q query) store.SearchQuery { return store.SearchQuery{Text: q.text} }},
				{"vector", func(q query) store.SearchQuery { return store.SearchQuery{Embedding: q.vec} }},
				{"hybrid-domain", func(q query) store.SearchQuery {
					return store.SearchQuery{Text: q.text, Embedding: q.vec, Domains: []string{q.domain}}
				}},
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N*len(queries))
					for b.Loop() {
						for _, q := range queries {
							sq := c.q(q)
							sq.Limit = 10
							start := time.Now()
							res, err := s.Search(ctx, sq)
							lat = append(lat, time.Since(start))
							if err != nil {
								b.Fatal(err)
							}
							if len(res) == 0 {
								b.Fatalf("%s %q: no results", c.name, q.text)
							}
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

// syntheticStore opens a store holding n generated memories, loading them unless
// VESTIGE_BENCH_SQLITE_DIR already holds them.
func syntheticStore(b *testing.B, emb embedder.Embedder, n int) *Store {
	b.Helper()
	ctx := context.Background()
	dir := os.Getenv("VESTIGE_BENCH_SQLITE_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("synthetic-%d.db", n))
	_, statErr := os.Stat(path)
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	if statErr == nil {
		return s
	}
	if err := s.EnsureModel(ctx, store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}); err != nil {
		b.Fatal(err)
	}
	gen := corpus.New(42)
	recs := make([]store.Record, 0, 1000)
	flush := func() {
		if _, err := s.Load(ctx, recs); err != nil {
			b.Fatal(err)
		}
		recs = recs[:0]
	}
	for range n {
		g := gen.Memory()
		v, err := emb.Embed(ctx, g.Content)
		if err != nil {
			b.Fatal(err)
		}
		m := store.Memory{ID: g.ID, Content: g.Content, NodeType: g.NodeType, Tags: g.Tags, Domains: g.Domains,
			DomainScores: map[string]float64{}, Metadata: map[string]any{}, Embedding: v,
			CreatedAt: g.CreatedAt, UpdatedAt: g.CreatedAt}
		if recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &m}); len(recs) == cap(recs) {
			flush()
		}
	}
	flush()
	if err := s.Vacuum(ctx); err != nil {
		b.Fatal(err)
	}
	return s
}
