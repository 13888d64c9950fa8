// Package transfertest builds deterministic stores for the tests and benchmarks of copy and
// re-embed: memories with tags, domains, domain scores, metadata and vectors, scheduling
// rows, edges, review events and domains, written through store.Dumper.Load.
package transfertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// Shape is how many rows of each kind Fill writes.
type Shape struct {
	Memories, Scheduling, Edges, ReviewEvents, Domains int
}

// PlanShape is the plan's copy test: 10,000 memories, 4,000 scheduling rows, 2,000 edges.
var PlanShape = Shape{Memories: 10000, Scheduling: 4000, Edges: 2000, ReviewEvents: 500, Domains: 5}

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 123456000, time.UTC)

var words = []string{"deploy", "pipeline", "postgres", "index", "memory", "review", "alice", "tea", "green",
	"server", "backup", "schedule", "vector", "search", "graph", "domain", "agent", "note", "config", "release",
	"cache", "queue", "latency", "budget", "meeting", "travel", "python", "golang", "sqlite", "kernel"}

// ID is the id of memory i (stable across runs, so tests can look rows up).
func ID(i int) uuid.UUID {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "vestige-transfer-%d", i))
}

// Records calls fn with every row of the shape in dump order; emb embeds the memories (nil:
// no vectors and no registry row).
func Records(ctx context.Context, s Shape, emb embedder.Embedder, fn func(store.Record) error) error {
	rng := rand.New(rand.NewPCG(42, uint64(s.Memories)))
	if emb != nil {
		if err := fn(store.Record{Type: store.RecordEmbeddingModel, Model: &store.RegisteredModel{Name: emb.ModelName(),
			Dimension: emb.Dimension(), Hash: emb.ModelHash(), CreatedAt: t0}}); err != nil {
			return err
		}
	}
	domains := make([]string, s.Domains)
	for i := range domains {
		domains[i] = fmt.Sprintf("d%02d", i)
		if err := fn(store.Record{Type: store.RecordDomain, Domain: &store.Domain{ID: domains[i], Label: "Domain " + domains[i],
			TopTerms: []string{words[i%len(words)]}, Metadata: map[string]any{"i": float64(i)}, CreatedAt: t0}}); err != nil {
			return err
		}
	}
	const chunk = 512
	for start := 0; start < s.Memories; start += chunk {
		n := min(chunk, s.Memories-start)
		texts := make([]string, n)
		mems := make([]*store.Memory, n)
		for k := range n {
			i := start + k
			content := fmt.Sprintf("note %d:", i)
			for range 8 + rng.IntN(24) {
				content += " " + words[rng.IntN(len(words))]
			}
			m := &store.Memory{ID: ID(i), Content: content, NodeType: []string{"fact", "preference", "event"}[i%3],
				Tags: []string{words[i%len(words)], words[(i/7)%len(words)]}, Domains: []string{},
				DomainScores: map[string]float64{}, Metadata: map[string]any{"i": float64(i), "src": "fixture", "ok": i%2 == 0},
				CreatedAt: t0.Add(time.Duration(i) * time.Second), UpdatedAt: t0.Add(time.Duration(i)*time.Second + time.Minute)}
			if len(domains) > 0 && i%4 != 0 {
				d := domains[i%len(domains)]
				m.Domains = []string{d}
				m.DomainScores = map[string]float64{d: float64(i%100) / 100}
			}
			texts[k], mems[k] = content, m
		}
		if emb != nil {
			vecs, err := emb.EmbedBatch(ctx, texts)
			if err != nil {
				return err
			}
			for k := range mems {
				mems[k].Embedding = append([]float32(nil), vecs[k]...)
			}
		}
		for _, m := range mems {
			if err := fn(store.Record{Type: store.RecordMemory, Memory: m}); err != nil {
				return err
			}
		}
	}
	for i := range s.Scheduling {
		last := t0.Add(time.Duration(s.Memories+i) * time.Second)
		next := last.Add(time.Duration(1+i%30) * 24 * time.Hour)
		if err := fn(store.Record{Type: store.RecordScheduling, Scheduling: &store.SchedulingState{MemoryID: ID(i),
			Stability: 1 + float64(i%50)/3, Difficulty: 1 + float64(i%9), Retrievability: 0.5 + float64(i%50)/100,
			LastReview: &last, NextReview: &next, Reps: 1 + i%7, Lapses: i % 3, State: 2}}); err != nil {
			return err
		}
	}
	for i := range s.Edges {
		src, dst := ID(i), ID((i*7+1)%s.Memories)
		if src == dst {
			dst = ID((i + 1) % s.Memories)
		}
		if err := fn(store.Record{Type: store.RecordEdge, Edge: &store.Edge{SourceID: src, TargetID: dst,
			EdgeType: []string{"related", "causes"}[i%2], Weight: float64(1+i%10) / 10, CreatedAt: t0.Add(time.Duration(i) * time.Millisecond)}}); err != nil {
			return err
		}
	}
	for i := range s.ReviewEvents {
		if err := fn(store.Record{Type: store.RecordReviewEvent, ReviewEvent: &store.ReviewEvent{
			ID: uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "vestige-review-%d", i)), MemoryID: ID(i % max(1, s.Scheduling)),
			ReviewedAt: t0.Add(time.Duration(i) * time.Minute), Rating: 1 + i%4,
			PriorState: map[string]any{}, NewState: map[string]any{"state": 2.0, "stability": 1.5}}}); err != nil {
			return err
		}
	}
	return nil
}

// Fill writes the shape into d in batches of 1,000 records.
func Fill(ctx context.Context, d store.Dumper, s Shape, emb embedder.Embedder) error {
	var batch []store.Record
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := d.Load(ctx, batch)
		batch = batch[:0]
		return err
	}
	err := Records(ctx, s, emb, func(r store.Record) error {
		batch = append(batch, r)
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
