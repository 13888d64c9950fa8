package sqlitestore

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/embedder"
)

// benchVectors are n random unit vectors of dim dimensions: 10k, or 100k with
// VESTIGE_BENCH_HEAVY=1 (the DESIGN.md §8 setting: 100k × 768).
func benchVectors(b *testing.B) (vecs [][]float32, ids []string, query []float32) {
	n := 10_000
	if os.Getenv("VESTIGE_BENCH_HEAVY") == "1" {
		n = 100_000
	}
	const dim = 768
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return unit(v)
	}
	for range n {
		vecs = append(vecs, rnd())
		ids = append(ids, uuid.NewString())
	}
	return vecs, ids, rnd()
}

// BenchmarkVectorIndexScan is the SQLite vector branch's scan (top 30: a page of 10,
// over-fetched 3×). The target: no slower than BenchmarkPlainCosineLoop.
func BenchmarkVectorIndexScan(b *testing.B) {
	vecs, ids, q := benchVectors(b)
	x := newVectorIndex("", 0)
	for i := range vecs {
		x.slot[int64(i)] = i
		x.rids = append(x.rids, int64(i))
	}
	x.ids, x.vecs = ids, vecs
	b.Run(strconv.Itoa(len(vecs)), func(b *testing.B) {
		for b.Loop() {
			if got := x.nearest(q, 30, nil); len(got) != 30 {
				b.Fatal(len(got))
			}
		}
	})
}

// BenchmarkPlainCosineLoop is the reference of DESIGN.md §8: embedder.Cosine over every
// vector in one goroutine, then the best 30.
func BenchmarkPlainCosineLoop(b *testing.B) {
	vecs, _, q := benchVectors(b)
	b.Run(fmt.Sprint(len(vecs)), func(b *testing.B) {
		scores := make([]float64, len(vecs))
		for b.Loop() {
			for i, v := range vecs {
				scores[i] = embedder.Cosine(q, v)
			}
			top := slices.Clone(scores)
			slices.Sort(top)
			_ = top[len(top)-30:]
		}
	})
}
