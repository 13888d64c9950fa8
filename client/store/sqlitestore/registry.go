package sqlitestore

import (
	"context"
	"fmt"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// EnsureModel is vestige_ensure_embedding_model: the first call registers sig, later calls
// pass when name, dimension and hash all match and otherwise fail with
// *store.EmbeddingMismatchError. (SQLite has no column type or index to stamp.)
func (s *Store) EnsureModel(ctx context.Context, sig store.ModelSignature) error {
	switch {
	case sig.Name == "":
		return &store.InvalidInputError{Field: "model name", Reason: "is empty"}
	case sig.Hash == "":
		return &store.InvalidInputError{Field: "model hash", Reason: "is empty"}
	case sig.Dimension < 1 || sig.Dimension > maxDimension:
		return &store.InvalidInputError{Field: "model dimension", Reason: fmt.Sprintf("%d is outside 1..%d", sig.Dimension, maxDimension)}
	}
	for _, f := range []struct{ field, value string }{{"model name", sig.Name}, {"model hash", sig.Hash}} {
		if err := store.ValidateText(f.field, f.value); err != nil {
			return err
		}
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		registered, err := model(conn)
		if err != nil {
			return err
		}
		if registered != nil {
			if *registered == sig {
				return nil
			}
			return &store.EmbeddingMismatchError{Registered: *registered, Requested: sig}
		}
		return exec(conn, `INSERT INTO embedding_model (id, name, dimension, hash, created_at)
			VALUES (1, ?1, ?2, ?3, ?4)`, sig.Name, sig.Dimension, sig.Hash, store.Now())
	})
	if err == nil {
		s.writerModel.Store(&sig)
	}
	return interpretError(ctx, err)
}

// checkWriter refuses a vector made by another model than the registered one, in the
// writer's transaction (so after a re-embed's switch, which is one write transaction too, or
// before it): a client opened on the old model must not mix its vectors into the new model's
// store (*store.EmbeddingMismatchError).
func (s *Store) checkWriter(conn *sqlite.Conn, v []float32) error {
	want := s.writerModel.Load()
	if v == nil || want == nil {
		return nil
	}
	registered, err := model(conn)
	if err != nil {
		return err
	}
	if registered != nil && *registered != *want {
		return &store.EmbeddingMismatchError{Registered: *registered, Requested: *want}
	}
	return nil
}

// maxDimension is the SQL API's bound (vestige_ensure_embedding_model): pgvector's limit.
const maxDimension = 16000

// Model returns the registered model, or nil.
func (s *Store) Model(ctx context.Context) (*store.ModelSignature, error) {
	var sig *store.ModelSignature
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		var err error
		sig, err = model(conn)
		return err
	})
	return sig, interpretError(ctx, err)
}

func model(conn *sqlite.Conn) (*store.ModelSignature, error) {
	var sig *store.ModelSignature
	_, err := queryOne(conn, `SELECT name, dimension, hash FROM embedding_model WHERE id = 1`,
		func(stmt *sqlite.Stmt) error {
			sig = &store.ModelSignature{Name: stmt.ColumnText(0), Dimension: stmt.ColumnInt(1), Hash: stmt.ColumnText(2)}
			return nil
		})
	return sig, err
}

// checkEmbedding is the Go side of the embedding trigger, run in the writer's transaction so
// that it sees the registry as the write will: it returns the errors Postgres raises (VS004,
// VS002) with their typed forms. The registry is read once, and only when a vector is given.
func checkEmbedding(conn *sqlite.Conn, vs ...[]float32) error {
	var registered *store.ModelSignature
	for _, v := range vs {
		if v == nil {
			continue
		}
		if registered == nil {
			var err error
			if registered, err = model(conn); err != nil {
				return err
			}
			if registered == nil {
				return fmt.Errorf("%w: register one before writing embeddings", store.ErrNoModel)
			}
		}
		if len(v) != registered.Dimension {
			return &store.DimensionError{Got: len(v), Want: registered.Dimension}
		}
	}
	return nil
}
