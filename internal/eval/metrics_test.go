package eval

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNDCGAndRecall(t *testing.T) {
	rel := map[string]bool{"a": true, "b": true}
	for _, c := range []struct {
		name         string
		got          []string
		ndcg, recall float64
	}{
		{"ideal", []string{"a", "b", "x"}, 1, 1},
		{"none", []string{"x", "y"}, 0, 0},
		{"empty", nil, 0, 0},
		{"second only", []string{"x", "a"}, (1 / math.Log2(3)) / (1 + 1/math.Log2(3)), 0.5},
		{"beyond k", []string{"x", "y", "a"}, 0, 0}, // k = 2 below
	} {
		require.InDelta(t, c.ndcg, NDCG(c.got, rel, 2), 1e-12, c.name)
		require.InDelta(t, c.recall, Recall(c.got, rel, 2), 1e-12, c.name)
	}
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	require.Equal(t, time.Duration(3), Percentile(ds, 50))
	require.Equal(t, time.Duration(5), Percentile(ds, 99))
	require.Equal(t, time.Duration(0), Percentile(nil, 50))
}

func TestAgreement(t *testing.T) {
	a := [][]string{{"x", "y"}, {"p"}, nil}
	b := [][]string{{"x", "z"}, {"q", "p"}, nil}
	top1, shared := Agreement(a, b, 10)
	require.InDelta(t, 2.0/3, top1, 1e-12, "first and empty agree")
	require.InDelta(t, 2.0/3, shared, 1e-12, "x, and p")
}

func TestLoadSet(t *testing.T) {
	dir := t.TempDir()
	_, err := LoadSet(dir, "scifact")
	require.True(t, errors.Is(err, ErrNoData), "%v", err)
	require.Contains(t, err.Error(), "VESTIGE_RETRIEVAL_DIR")

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "s"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s", "corpus.jsonl"),
		[]byte(`{"_id":"1","title":"T","text":"body"}`+"\n"+`{"_id":"2","title":"","text":"only","domain":"d"}`+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s", "queries.jsonl"),
		[]byte(`{"_id":"q","text":"body","relevant":["1"],"domain":"d"}`+"\n"), 0o644))
	s, err := LoadSet(dir, "s")
	require.NoError(t, err)
	require.Equal(t, "T\nbody", s.Corpus[0].Content())
	require.Equal(t, "only", s.Corpus[1].Content())
	require.Equal(t, "d", s.Queries[0].Domain)
}
