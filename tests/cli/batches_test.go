package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
)

// An import bigger than one batch: rows refer to rows of earlier batches (committed by then),
// and nothing but the summary is printed (stderr is not a terminal: no progress counter).
func TestImportManyRecordsInBatches(t *testing.T) {
	const n = 1100
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	ids := make([]uuid.UUID, n)
	for i := range ids {
		ids[i] = uuid.New()
		at := t0.Add(time.Duration(i) * time.Second)
		require.NoError(t, enc.Encode(store.Record{Type: store.RecordMemory, Memory: &store.Memory{ID: ids[i],
			Content: fmt.Sprintf("memory number %d", i), CreatedAt: at, UpdatedAt: at}}))
	}
	for i := 1; i < n; i++ {
		require.NoError(t, enc.Encode(store.Record{Type: store.RecordEdge, Edge: &store.Edge{SourceID: ids[i-1],
			TargetID: ids[i], EdgeType: "next", Weight: 1, CreatedAt: t0}}))
	}
	dump := b.String()

	forBoth(t, func(t *testing.T, e *env) {
		r := e.runWithInput(dump, "import")
		require.Equal(t, 0, r.code, r.stderr)
		require.Empty(t, r.stderr)
		require.Equal(t, fmt.Sprintf("imported %d new rows from %d records (0 already present)\n", 2*n-1, 2*n-1), r.stdout)
		var st struct {
			Memories int `json:"memories"`
			Edges    int `json:"edges"`
		}
		e.okJSON(&st, "stats")
		require.Equal(t, n, st.Memories)
		require.Equal(t, n-1, st.Edges)
		out := e.ok("export")
		recs := records(t, out)
		require.Equal(t, map[string]int{"fsrs_parameters": 1, "memory": n, "edge": n - 1}, kinds(recs))
		for i, r := range recs[1 : n+1] {
			m := r.(map[string]any)
			require.Equal(t, ids[i].String(), m["id"], "memories in created_at order")
			require.Equal(t, fmt.Sprintf("memory number %d", i), m["content"])
		}
	})
}
