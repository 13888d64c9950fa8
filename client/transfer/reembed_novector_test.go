package transfer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/transfer"
)

// TestReembedSameModelWithTextlessMemory: a memory whose text has nothing to embed ("!!!")
// keeps no vector, so a store holding one is complete. A re-embed to the model it already
// holds must then do nothing, as docs/migrate.md promises, instead of rewriting every vector
// on every run (and `migrate copy --reembed` re-embedding the whole destination each time).
// A memory written without a vector whose text can be embedded still makes it work.
func TestReembedSameModelWithTextlessMemory(t *testing.T) {
	t.Parallel()
	for name, open := range bothStores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := open(t)
			emb := hash(t, 64)
			require.NoError(t, st.EnsureModel(ctx, transfer.Signature(emb)))
			v, err := emb.Embed(ctx, "the deploy pipeline pushes images")
			require.NoError(t, err)
			_, err = st.Insert(ctx, store.Memory{Content: "the deploy pipeline pushes images", Embedding: v})
			require.NoError(t, err)
			_, err = st.Insert(ctx, store.Memory{Content: "!!!"})
			require.NoError(t, err)

			rep, err := transfer.Reembed(ctx, st, emb, transfer.ReembedOptions{})
			require.NoError(t, err)
			require.True(t, rep.NothingToDo, "a textless memory without a vector is not missing one: %+v", rep)
			require.Zero(t, rep.Embedded)

			late, err := st.Insert(ctx, store.Memory{Content: "written without its vector"})
			require.NoError(t, err)
			rep, err = transfer.Reembed(ctx, st, emb, transfer.ReembedOptions{})
			require.NoError(t, err)
			require.False(t, rep.NothingToDo, "a memory with text and no vector is embedded")
			got, err := st.Get(ctx, late.ID)
			require.NoError(t, err)
			require.Len(t, got.Embedding, 64)

			rep, err = transfer.Reembed(ctx, st, emb, transfer.ReembedOptions{})
			require.NoError(t, err)
			require.True(t, rep.NothingToDo, "after that run the store is complete: %+v", rep)
		})
	}
}
