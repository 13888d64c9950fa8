package transfertest

import (
	"context"
	"encoding/json"

	"github.com/vestige-mem/vestige/client/store"
)

// Dump is every record of d as JSON values, in dump order: two stores hold the same rows when
// their dumps are equal, whatever their backends.
func Dump(ctx context.Context, d store.Dumper) ([]any, error) {
	var out []any
	err := d.Dump(ctx, func(r store.Record) error {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

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
