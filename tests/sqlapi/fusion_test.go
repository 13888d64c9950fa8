package sqlapi_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// vestige_fusion_defaults is a function of the model name alone, the same as its Go twin.
func TestFusionDefaults(t *testing.T) {
	d := newDB(t)
	for _, name := range []*string{ptr("hash-384"), ptr("hash-768"), ptr("hash-8"), ptr("hashy-384"),
		ptr("bge-base-en-v1.5"), ptr("text-embedding-3-small"), ptr(""), nil} {
		var fts, vec float64
		require.NoError(t, d.conn.QueryRow(context.Background(),
			`SELECT fts_weight, vector_weight FROM vestige_fusion_defaults($1)`, name).Scan(&fts, &vec))
		n := ""
		if name != nil {
			n = *name
		}
		wantF, wantV := store.FusionDefaults(n)
		require.Equal(t, []float64{wantF, wantV}, []float64{fts, vec}, "model %q", n)
	}
}

// Named weights: rrf = fts_weight/(60 + fts rank) + vector_weight/(60 + vector rank); a
// branch of weight 0 does not run; with no weight named, hash-384 searches full text alone.
func TestSearchWeights(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	for _, c := range []string{"rust async trait objects", "rust trait bounds and generics",
		"implementing a rust trait for a struct", "postgres hnsw vector index", "garden tomatoes need water",
		"trait theory in psychology", "kubernetes pod restarts", "sourdough starter feeding schedule"} {
		d.insert(c, nil, nil, "")
	}
	v := d.vec("rust trait")
	for _, w := range [][2]float64{{1, 1}, {0.5, 0.25}, {0.05, 1}, {1, 0.001}} {
		got := d.search(`vestige_search('rust trait', $1::vector, 8, fts_weight => $2, vector_weight => $3)`, v, w[0], w[1])
		require.NotEmpty(t, got)
		for i, r := range got {
			want := 0.0
			if r.FTSRank != nil {
				want += w[0] / float64(60+*r.FTSRank)
			}
			if r.VectorRank != nil {
				want += w[1] / float64(60+*r.VectorRank)
			}
			require.InDelta(t, want, r.RRF, 1e-12, "weights %v row %d", w, i)
			if i > 0 {
				require.LessOrEqual(t, r.RRF, got[i-1].RRF)
			}
		}
	}

	fts := d.search(`vestige_fts_search('rust trait', 8)`)
	def := d.search(`vestige_search('rust trait', $1::vector, 8)`, v)
	require.Equal(t, fts, def, "hash-384 by default: full text alone, scores included")
	require.Equal(t, fts, d.search(`vestige_search('rust trait', $1::vector, 8, vector_weight => 0)`, v))

	vec := d.search(`vestige_vector_search($1::vector, 8)`, v)
	got := d.search(`vestige_search('rust trait', $1::vector, 8, fts_weight => 0, vector_weight => 1)`, v)
	require.Equal(t, vec, got, "text weight 0: the vector branch alone")
	// A lone branch weighs 1 unless named.
	got = d.search(`vestige_search(NULL, $1::vector, 8, vector_weight => 0.5)`, v)
	require.Equal(t, ids(vec), ids(got))
	require.InDelta(t, 0.5/61, got[0].RRF, 1e-15)
}

// min_vector_score drops vector candidates whose cosine similarity (vector_score) is below it.
func TestSearchMinVectorScore(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	for _, c := range []string{"rust trait", "rust trait objects", "garden tomatoes need water", "kubernetes pod restarts"} {
		d.insert(c, nil, nil, "")
	}
	v := d.vec("rust trait")
	all := d.search(`vestige_search(NULL, $1::vector, 10)`, v)
	require.Len(t, all, 4)
	for _, min := range []float64{-1, 0, 0.3, 0.9, 0.999} {
		got := d.search(`vestige_search(NULL, $1::vector, 10, min_vector_score => $2)`, v, min)
		var want []row
		for _, r := range all {
			if *r.VectorScore >= min {
				want = append(want, r)
			}
		}
		require.Equal(t, ids(want), ids(got), "min %v", min)
	}
	// Full-text candidates are not cut.
	got := d.search(`vestige_search('garden rust', $1::vector, 10, vector_weight => 1, min_vector_score => 0.999)`, v)
	var texts []string
	for _, r := range got {
		texts = append(texts, r.Content)
		if r.VectorScore != nil {
			require.GreaterOrEqual(t, *r.VectorScore, 0.999)
		}
	}
	require.Contains(t, texts, "garden tomatoes need water")
}

func TestSearchFusionErrors(t *testing.T) {
	d := newDB(t)
	d.registerModel()
	d.insert("rust async trait objects", nil, nil, "")
	v := d.vec("rust")
	for _, c := range []struct{ sql, field string }{
		{`vestige_search('rust', $1::vector, fts_weight => 1.5)`, "fts_weight"},
		{`vestige_search('rust', $1::vector, fts_weight => -0.5)`, "fts_weight"},
		{`vestige_search('rust', $1::vector, vector_weight => 'NaN')`, "vector_weight"},
		{`vestige_search('rust', $1::vector, vector_weight => 'Infinity')`, "vector_weight"},
		{`vestige_search('rust', $1::vector, min_vector_score => 1.5)`, "min_vector_score"},
		{`vestige_search('rust', $1::vector, min_vector_score => 'NaN')`, "min_vector_score"},
		{`vestige_search('rust', $1::vector, fts_weight => 0)`, "fts_weight and vector_weight"}, // hash-384: vector 0
		{`vestige_search('rust', $1::vector, fts_weight => 0, vector_weight => 0)`, "fts_weight and vector_weight"},
		{`vestige_search(NULL, $1::vector, vector_weight => 0)`, "fts_weight and vector_weight"},
	} {
		_, err := d.query(c.sql, v)
		requireState(t, err, "VS006", c.field)
	}
	// The vector branch's checks hold when the branch does not run.
	_, err := d.query(`vestige_search('rust', '[1,2,3]'::vector)`)
	requireState(t, err, "VS002", "3 dimensions", "384")
}

func ptr[T any](v T) *T { return &v }
