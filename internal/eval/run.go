package eval

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/store"
)

// K is the depth every measure looks at: top 10.
const K = 10

// Variant is one way of searching: a mode, and for hybrid optional explicit fusion weights.
type Variant struct {
	Name         string
	Mode         client.Mode
	FTSWeight    *float64
	VectorWeight *float64
}

// Result is a variant's measures on one backend, and its answers (document ids per query, in
// the set's query order) for the cross-backend comparison.
type Result struct {
	NDCG, Recall float64
	P50, P99     time.Duration
	Answers      [][]string
}

// batch is how many memories one Load call writes (one transaction).
const batch = 500

// idSpace names the memory ids Load derives from document ids.
var idSpace = uuid.MustParse("6f1d5a3c-2b7e-4e0a-9c1d-8a4b3e2f1c0d")

// Load writes the set's corpus into an empty store through the client's embedder, in
// batches, and returns the map from memory id to document id. A memory's id is derived from
// its set and document id (UUIDv5), so that two backends loaded with a set hold the same
// rows and break score ties (by id) the same way: their agreement then measures the
// ranking, not the luck of random ids.
func Load(ctx context.Context, cl *client.Client, s Set) (map[uuid.UUID]string, error) {
	st := cl.Store()
	d, ok := st.(store.Dumper)
	if !ok {
		return nil, fmt.Errorf("eval: %T cannot load in batches", st)
	}
	if err := st.EnsureModel(ctx, client.Signature(cl.Embedder())); err != nil {
		return nil, fmt.Errorf("eval: register model: %w", err)
	}
	docOf := make(map[uuid.UUID]string, len(s.Corpus))
	now := time.Now().UTC().Truncate(time.Microsecond)
	recs := make([]store.Record, 0, batch)
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		_, err := d.Load(ctx, recs)
		recs = recs[:0]
		return err
	}
	for _, doc := range s.Corpus {
		m := store.Memory{ID: uuid.NewSHA1(idSpace, []byte(s.Name+"/"+doc.ID)), Content: doc.Content(), NodeType: store.DefaultNodeType,
			Tags: []string{}, Domains: []string{}, DomainScores: map[string]float64{}, Metadata: map[string]any{},
			CreatedAt: now, UpdatedAt: now}
		if doc.Domain != "" {
			m.Domains = []string{doc.Domain}
		}
		v, err := cl.Embed(ctx, m.Content)
		if err != nil {
			return nil, err
		}
		m.Embedding = v
		docOf[m.ID] = doc.ID
		recs = append(recs, store.Record{Type: store.RecordMemory, Memory: &m})
		if len(recs) == batch {
			if err := flush(); err != nil {
				return nil, fmt.Errorf("eval: load %s: %w", s.Name, err)
			}
		}
	}
	if err := flush(); err != nil {
		return nil, fmt.Errorf("eval: load %s: %w", s.Name, err)
	}
	// Statistics after a bulk load, as the docs advise (on Postgres VACUUM (ANALYZE)):
	// without them the first mode measured runs on guesses and later ones on autovacuum's.
	if err := cl.Vacuum(ctx); err != nil {
		return nil, fmt.Errorf("eval: vacuum after loading %s: %w", s.Name, err)
	}
	return docOf, nil
}

// warmUp is how many queries run unmeasured first, so that the first mode measured does not
// pay for a cold cache.
const warmUp = 50

// Run searches every query of the set with the variant and measures it. The query's
// embedding is made before the clock starts: the timings are the store's.
func Run(ctx context.Context, cl *client.Client, s Set, docOf map[uuid.UUID]string, v Variant) (Result, error) {
	if len(s.Queries) > warmUp {
		if _, err := run(ctx, cl, Set{Name: s.Name, Queries: s.Queries[:warmUp]}, docOf, v); err != nil {
			return Result{}, err
		}
	}
	return run(ctx, cl, s, docOf, v)
}

func run(ctx context.Context, cl *client.Client, s Set, docOf map[uuid.UUID]string, v Variant) (Result, error) {
	var r Result
	lat := make([]time.Duration, 0, len(s.Queries))
	for _, q := range s.Queries {
		sq := store.SearchQuery{Text: q.Text, Limit: K, FTSWeight: v.FTSWeight, VectorWeight: v.VectorWeight}
		if q.Domain != "" {
			sq.Domains = []string{q.Domain}
		}
		if v.Mode != client.FTS {
			emb, err := cl.Embed(ctx, q.Text)
			if err != nil {
				return r, err
			}
			sq.Embedding = emb
			if emb == nil && v.Mode == client.Vector {
				r.Answers = append(r.Answers, nil) // no word to embed: nothing found
				continue
			}
		}
		start := time.Now()
		res, err := cl.Search(ctx, v.Mode, sq)
		lat = append(lat, time.Since(start))
		if err != nil {
			return r, fmt.Errorf("eval: %s query %s (%s): %w", s.Name, q.ID, v.Name, err)
		}
		got := make([]string, len(res))
		for i, x := range res {
			got[i] = docOf[x.Memory.ID]
		}
		rel := make(map[string]bool, len(q.Relevant))
		for _, id := range q.Relevant {
			rel[id] = true
		}
		r.NDCG += NDCG(got, rel, K)
		r.Recall += Recall(got, rel, K)
		r.Answers = append(r.Answers, got)
	}
	if n := float64(len(s.Queries)); n > 0 {
		r.NDCG /= n
		r.Recall /= n
	}
	r.P50, r.P99 = Percentile(lat, 50), Percentile(lat, 99)
	return r, nil
}
