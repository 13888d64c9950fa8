package transfer_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	"github.com/vestige-mem/vestige/client/store/sqlitestore"
	"github.com/vestige-mem/vestige/client/transfer"
)

// renamed is another model of the same dimension: its vectors fit the column, and only the
// registry tells them apart.
type renamed struct{ embedder.Embedder }

func (renamed) ModelName() string { return "another-model" }
func (renamed) ModelHash() string { return "another-hash" }

// A store handle opened on the old model (a long-running `vestige mcp`, say) and kept open
// while another process re-embeds the store to a model of the same dimension must not write
// the old model's vectors afterwards: the write is refused with the registry mismatch, and
// nothing of it is stored.
func TestWriterOnTheOldModelIsRefusedAfterTheSwitch(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(t *testing.T) (store.Store, func() store.Store){
		"sqlite": func(t *testing.T) (store.Store, func() store.Store) {
			st, path := newSQLite(t)
			return st, func() store.Store {
				other, err := sqlitestore.Open(context.Background(), path)
				require.NoError(t, err)
				t.Cleanup(func() { _ = other.Close() })
				return other
			}
		},
		"postgres": func(t *testing.T) (store.Store, func() store.Store) {
			st, url := newPostgres(t)
			return st, func() store.Store {
				other, err := pgstore.Open(context.Background(), pgstore.Options{URL: url})
				require.NoError(t, err)
				t.Cleanup(func() { _ = other.Close() })
				return other
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			writer, openOther := open(t)
			old := hash(t, 64)
			require.NoError(t, writer.EnsureModel(ctx, transfer.Signature(old)))
			v, err := old.Embed(ctx, "written before the switch")
			require.NoError(t, err)
			_, err = writer.Insert(ctx, store.Memory{ID: uuid.New(), Content: "written before the switch", Embedding: v})
			require.NoError(t, err)

			_, err = transfer.Reembed(ctx, openOther(), renamed{old}, transfer.ReembedOptions{})
			require.NoError(t, err)

			v, err = old.Embed(ctx, "written after the switch")
			require.NoError(t, err)
			_, err = writer.Insert(ctx, store.Memory{ID: uuid.New(), Content: "written after the switch", Embedding: v})
			require.ErrorIs(t, err, store.ErrEmbeddingMismatch)
			n, err := writer.Count(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 1, n, "the refused write stored nothing")

		})
	}
}
