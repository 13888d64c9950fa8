package sqlitestore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

// FuzzTextSearch: no text, however hostile, makes a search fail. The seeds of
// testdata/fuzz/FuzzTextSearch (quotes, hyphens, apostrophes, versions, AND/OR/NOT/NEAR,
// parentheses, * ^ :, NUL, invalid UTF-8, emoji, 10,000 characters) run in every `go test`;
// `go test -fuzz FuzzTextSearch ./client/store/sqlitestore` looks for more.
func FuzzTextSearch(f *testing.F) {
	ctx := context.Background()
	s := open(f)
	emb, err := embedder.NewHash(64)
	require.NoError(f, err)
	require.NoError(f, s.EnsureModel(ctx, store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}))
	for _, c := range []string{
		`don't panic: version 1.2.3 of the foo-bar tool (beta)`,
		`"quoted" AND OR NOT NEAR(a b) * ^ : {content}`,
		`rust trait objects and async runtimes`,
		`日本語 🚀 café naïve`,
	} {
		v, err := emb.Embed(ctx, c)
		require.NoError(f, err)
		_, err = s.Insert(ctx, store.Memory{Content: c, Tags: []string{"t-1", "x'y"}, Embedding: v})
		require.NoError(f, err)
	}
	probe, err := emb.Embed(ctx, "rust panic")
	require.NoError(f, err)

	f.Fuzz(func(t *testing.T, text string) {
		for _, q := range []store.SearchQuery{
			{Text: text, Limit: 3},
			{Text: text, Embedding: probe, Limit: 3},
			{Text: text, Limit: 3, Domains: []string{text}, Tags: []string{text}, NodeTypes: []string{text}},
		} {
			res, err := s.Search(ctx, q)
			if text == "" && q.Embedding == nil {
				require.True(t, errors.Is(err, store.ErrEmptyQuery), "%q: %v", text, err)
				continue
			}
			// Query text is cleaned, never refused; filter values are compared, and one
			// Postgres could not hold is refused on both backends.
			if q.Domains != nil && store.ValidateFilters(q) != nil {
				require.True(t, errors.Is(err, store.ErrInvalidInput), "%q: %v", text, err)
				continue
			}
			require.NoError(t, err, "%q", text)
			require.LessOrEqual(t, len(res), 3)
		}
	})
}
