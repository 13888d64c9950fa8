package parity_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// seedDir is the hostile-text corpus of sqlitestore's FuzzTextSearch; this target runs it
// against both backends.
const seedDir = "../../client/store/sqlitestore/testdata/fuzz/FuzzTextSearch"

// FuzzTextSearchBoth: no text makes either backend's full-text search fail.
func FuzzTextSearchBoth(f *testing.F) {
	ctx := context.Background()
	entries, err := os.ReadDir(seedDir)
	require.NoError(f, err)
	require.GreaterOrEqual(f, len(entries), 200)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		require.NoError(f, err)
		header, lit, ok := strings.Cut(strings.TrimSpace(string(raw)), "\n")
		require.True(f, ok && header == "go test fuzz v1", e.Name())
		text, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "string("), ")"))
		require.NoError(f, err, e.Name())
		f.Add(text)
	}

	emb, err := embedder.NewHash(64)
	require.NoError(f, err)
	lite, err := sqlitestore.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	require.NoError(f, err)
	f.Cleanup(func() { _ = lite.Close() })
	pg, err := pgstore.Open(ctx, pgstore.Options{URL: testdb.New(f)})
	require.NoError(f, err)
	f.Cleanup(func() { _ = pg.Close() })
	backends := map[string]store.Store{"sqlite": lite, "postgres": pg}
	for _, s := range backends {
		require.NoError(f, s.EnsureModel(ctx, store.ModelSignature{Name: emb.ModelName(), Dimension: emb.Dimension(), Hash: emb.ModelHash()}))
		for _, c := range []string{
			`don't panic: version 1.2.3 of the foo-bar tool (beta)`,
			`"quoted" AND OR NOT NEAR(a b) * ^ : {content}`,
			`rust trait objects and async runtimes`,
		} {
			v, err := emb.Embed(ctx, c)
			require.NoError(f, err)
			_, err = s.Insert(ctx, store.Memory{Content: c, Embedding: v})
			require.NoError(f, err)
		}
	}

	f.Fuzz(func(t *testing.T, text string) {
		for name, s := range backends {
			res, err := s.FTSSearch(ctx, store.SearchQuery{Text: text, Limit: 3})
			if text == "" {
				require.True(t, errors.Is(err, store.ErrEmptyQuery), "%s %q: %v", name, text, err)
				continue
			}
			require.NoError(t, err, "%s %q", name, text)
			require.LessOrEqual(t, len(res), 3)
		}
	})
}
