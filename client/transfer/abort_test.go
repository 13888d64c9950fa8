package transfer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
	"github.com/vestige-mem/vestige/client/transfer/transfertest"
)

// TestReembedInterruptedThenAnotherModel: a re-embed stopped mid-way refuses a re-embed to
// another model (naming both), --abort leaves the store on its model with its index, and the
// other model then goes through.
func TestReembedInterruptedThenAnotherModel(t *testing.T) {
	t.Parallel()
	for name, open := range bothStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			old := hash(t, 768)
			require.NoError(t, transfertest.Fill(context.Background(), st, transfertest.Shape{Memories: 120, Scheduling: 10, Edges: 5}, old))
			before := dump(t, st)

			ctx, cancel := context.WithCancel(context.Background())
			_, err := transfer.Reembed(ctx, st, hash(t, 1024), transfer.ReembedOptions{BatchSize: 50,
				Pause: func(point string) {
					if point == "batch:2" {
						cancel()
					}
				}})
			require.ErrorIs(t, err, context.Canceled)
			re := st.(store.Reembedder)
			state, err := re.ReembedState(context.Background())
			require.NoError(t, err)
			require.NotNil(t, state)
			require.Equal(t, 50, state.Done, "the first batch was written, the second was not")

			_, err = transfer.Reembed(context.Background(), st, hash(t, 512), transfer.ReembedOptions{})
			var busy *store.ReembedInProgressError
			require.True(t, errors.As(err, &busy), "%v", err)
			require.ErrorContains(t, err, "hash-1024 (1024 dimensions")
			require.ErrorContains(t, err, "hash-512 (512 dimensions")
			require.ErrorIs(t, err, store.ErrConflict)

			require.NoError(t, re.ReembedAbort(context.Background()))
			state, err = re.ReembedState(context.Background())
			require.NoError(t, err)
			require.Nil(t, state)
			require.Equal(t, before, dump(t, st), "an abandoned re-embed leaves the store as it was")
			if pg, ok := st.(transfer.BulkIndexer); ok {
				present, _, err := pg.VectorIndexState(context.Background())
				require.NoError(t, err)
				require.True(t, present, "abort rebuilds the index the re-embed dropped")
			}

			rep, err := transfer.Reembed(context.Background(), st, hash(t, 512), transfer.ReembedOptions{})
			require.NoError(t, err)
			require.False(t, rep.Resumed)
			m, err := st.Model(context.Background())
			require.NoError(t, err)
			require.Equal(t, 512, m.Dimension)
		})
	}
}
