package embedder

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func naiveCosine(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

func naiveDot(a, b []float32) float64 {
	var d float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
	}
	return d
}

func TestCosine(t *testing.T) {
	tests := []struct {
		name string
		a, b []float32
		want float64
	}{
		{"identical", []float32{1, 2, 3}, []float32{1, 2, 3}, 1},
		{"scaled", []float32{1, 2, 3}, []float32{2, 4, 6}, 1},
		{"opposite", []float32{1, 2, 3}, []float32{-1, -2, -3}, -1},
		{"orthogonal", []float32{1, 0}, []float32{0, 1}, 0},
		{"45 degrees", []float32{1, 0}, []float32{1, 1}, 1 / math.Sqrt2},
		{"tail only", []float32{3}, []float32{4}, 1},
		{"unrolled and tail", []float32{1, 0, 0, 0, 1}, []float32{1, 0, 0, 0, 0}, 1 / math.Sqrt2},
		{"large values", []float32{3e18, 4e18}, []float32{4e18, 3e18}, 24.0 / 25},
		{"zero a", []float32{0, 0, 0}, []float32{1, 2, 3}, 0},
		{"zero b", []float32{1, 2, 3}, []float32{0, 0, 0}, 0},
		{"empty", nil, nil, 0},
		{"length mismatch", []float32{1, 2, 3}, []float32{1, 2}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.InDelta(t, tc.want, Cosine(tc.a, tc.b), 1e-7)
			require.InDelta(t, tc.want, Cosine(tc.b, tc.a), 1e-7, "symmetric")
		})
	}
}

func TestCosineMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 3, 4, 5, 7, 8, 383, 384, 768, 1537} {
		a := make([]float32, n)
		b := make([]float32, n)
		for i := range a {
			a[i] = float32(r.NormFloat64())
			b[i] = float32(r.NormFloat64())
		}
		require.InDelta(t, naiveCosine(a, b), Cosine(a, b), 1e-6, "n=%d", n)
		require.InDelta(t, naiveDot(a, b), Dot(a, b), 1e-6*float64(n), "n=%d", n)
		c := Cosine(a, a)
		require.LessOrEqual(t, c, 1.0, "clamped")
		require.InDelta(t, 1.0, c, 1e-6)
	}
}

func TestDotEqualsCosineForUnitVectors(t *testing.T) {
	h := mustHash(t, 768)
	a := embed(t, h, "rust async trait")
	b := embed(t, h, "rust trait objects")
	require.InDelta(t, Cosine(a, b), Dot(a, b), 1e-6)
	require.Equal(t, 0.0, Dot(a, b[:10]))
	require.InDelta(t, 11.0, Dot([]float32{1, 2, 0, 0, 1}, []float32{1, 5, 9, 9, 0}), 1e-12)
	require.InDelta(t, 13.0, Dot([]float32{1, 2, 0, 0, 1, 0, 0, 0, 2}, []float32{1, 5, 9, 9, 0, 1, 1, 1, 1}), 1e-12)
}

func BenchmarkCosine768(b *testing.B) {
	x := embed(b, mustHash(b, 768), "rust async trait")
	y := embed(b, mustHash(b, 768), "postgres hnsw vector")
	var s float64
	for b.Loop() {
		s += Cosine(x, y)
	}
	_ = s
}

func BenchmarkDot768(b *testing.B) {
	x := embed(b, mustHash(b, 768), "rust async trait")
	y := embed(b, mustHash(b, 768), "postgres hnsw vector")
	var s float64
	for b.Loop() {
		s += Dot(x, y)
	}
	_ = s
}

// BenchmarkCosineScan100k is the SQLite backend's worst case: one query
// against every stored vector (§8 compares against a plain Go loop).
func BenchmarkCosineScan100k(b *testing.B) {
	h := mustHash(b, 768)
	texts := make([]string, 100_000)
	for i := range texts {
		texts[i] = "memory " + itoa(i) + " about topic " + itoa(i%97)
	}
	vecs, err := h.EmbedBatch(context.Background(), texts)
	require.NoError(b, err)
	q := embed(b, h, "topic 42 memory")
	b.ResetTimer()
	for b.Loop() {
		best := -2.0
		for _, v := range vecs {
			if c := Cosine(q, v); c > best {
				best = c
			}
		}
	}
}
