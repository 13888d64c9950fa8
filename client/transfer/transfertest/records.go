package transfertest

import "github.com/vestige-mem/vestige/client/store"

// WithoutVectors is a dump (records as JSON values, as the tests compare them) with the
// memories' embeddings and the registry left out: what a re-embed must leave untouched.
func WithoutVectors(recs []any) []any {
	out := make([]any, 0, len(recs))
	for _, r := range recs {
		m := r.(map[string]any)
		switch m["type"] {
		case store.RecordEmbeddingModel:
			continue
		case store.RecordMemory:
			c := map[string]any{}
			for k, v := range m {
				if k != "embedding" {
					c[k] = v
				}
			}
			m = c
		}
		out = append(out, m)
	}
	return out
}
