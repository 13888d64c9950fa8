package cli_test

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The fusion flags of `vestige search`: the default embedder (hash-384) searches full text
// alone by default; --vector-weight brings its vector branch in; --min-vector-score cuts
// vector candidates below a cosine similarity.
func TestSearchFusionFlags(t *testing.T) {
	forBoth(t, func(t *testing.T, e *env) {
		pool := e.add("The Postgres connection pool is limited to 10 connections")
		e.add("Alice prefers green tea")
		e.add("Gardening tips: water tomatoes in the morning")

		var def, fts, both, cut []searchResultJSON
		e.okJSON(&def, "search", "postgres pool")
		e.okJSON(&fts, "search", "--mode", "fts", "postgres pool")
		require.Equal(t, fts, def, "hash-384: the default search is full text alone")

		e.okJSON(&both, "search", "--vector-weight", "1", "--fts-weight", "0.5", "postgres pool")
		require.Len(t, both, 3, "the vector branch finds every memory")
		require.Equal(t, pool, both[0].Memory.ID)
		require.NotNil(t, both[0].VectorRank)
		require.InDelta(t, 0.5/61+1.0/61, both[0].RRFScore, 1e-12)

		e.okJSON(&cut, "search", "--mode", "vector", "--min-vector-score", "0.99", "postgres pool")
		for _, r := range cut {
			require.GreaterOrEqual(t, *r.VectorScore, 0.99)
		}
		require.Less(t, len(cut), 3)

		e.fails(2, []string{"search", "--fts-weight", "2", "x"}, "--fts-weight")
		e.fails(2, []string{"search", "--vector-weight", "-1", "x"}, "--vector-weight")
		e.fails(2, []string{"search", "--min-vector-score", "1.5", "x"}, "--min-vector-score")
		e.fails(1, []string{"search", "--fts-weight", "0", "x"}, "fts_weight")
	})
}
