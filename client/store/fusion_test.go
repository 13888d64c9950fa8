package store_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

func TestFusionDefaults(t *testing.T) {
	for _, c := range []struct {
		model    string
		fts, vec float64
	}{
		{"hash-384", 1, store.HashVectorWeight},
		{"hash-8", 1, store.HashVectorWeight},
		{"hashy-384", 1, 1},
		{"bge-base-en-v1.5", 1, 1},
		{"", 1, 1}, // no model registered
	} {
		f, v := store.FusionDefaults(c.model)
		require.Equal(t, [2]float64{c.fts, c.vec}, [2]float64{f, v}, c.model)
	}
}
