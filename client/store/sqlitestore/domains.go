package sqlitestore

import (
	"cmp"
	"context"
	"slices"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/client/store"
)

const domainColumns = `id, label, centroid, top_terms, memory_count, created_at, metadata`

func scanDomain(stmt *sqlite.Stmt) (store.Domain, error) {
	d := store.Domain{ID: stmt.ColumnText(0), Label: stmt.ColumnText(1), MemoryCount: stmt.ColumnInt(4),
		CreatedAt: colTime(stmt, 5)}
	var err error
	if d.Centroid, err = colVector(stmt, 2); err != nil {
		return d, err
	}
	if d.TopTerms, err = colStrings(stmt, 3); err != nil {
		return d, err
	}
	d.Metadata, err = colObject(stmt, 6)
	return d, err
}

// ListDomains lists every domain, ordered by id bytewise (SQLite's BINARY collation, the
// Postgres store's COLLATE "C").
func (s *Store) ListDomains(ctx context.Context) ([]store.Domain, error) {
	out := []store.Domain{}
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		return query(conn, `SELECT `+domainColumns+` FROM domains ORDER BY id`, func(stmt *sqlite.Stmt) error {
			d, err := scanDomain(stmt)
			out = append(out, d)
			return err
		})
	})
	if err != nil {
		return nil, interpretError(ctx, err)
	}
	return out, nil
}

// GetDomain returns store.ErrNotFound for an unknown id.
func (s *Store) GetDomain(ctx context.Context, id string) (store.Domain, error) {
	if err := store.ValidateText("domain id", id); err != nil {
		return store.Domain{}, err
	}
	var d store.Domain
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		found, err := queryOne(conn, `SELECT `+domainColumns+` FROM domains WHERE id = ?1`, func(stmt *sqlite.Stmt) error {
			var err error
			d, err = scanDomain(stmt)
			return err
		}, id)
		if err == nil && !found {
			err = notFound("domain", id)
		}
		return err
	})
	return d, interpretError(ctx, err)
}

// UpsertDomain inserts the domain or replaces every field of an existing one but created_at,
// and returns it as stored. An empty centroid is none (pgvector has no 0-dimension vector).
func (s *Store) UpsertDomain(ctx context.Context, d store.Domain) (store.Domain, error) {
	if len(d.Centroid) == 0 {
		d.Centroid = nil
	}
	if d.TopTerms == nil {
		d.TopTerms = []string{}
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = store.Now()
	}
	d.CreatedAt = store.Truncate(d.CreatedAt)
	if err := store.ValidateDomain(d); err != nil {
		return store.Domain{}, err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		return query(conn, `INSERT INTO domains (id, label, centroid, top_terms, memory_count, created_at, metadata)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
			ON CONFLICT (id) DO UPDATE SET label = excluded.label, centroid = excluded.centroid,
				top_terms = excluded.top_terms, memory_count = excluded.memory_count, metadata = excluded.metadata
			RETURNING created_at`,
			func(stmt *sqlite.Stmt) error {
				d.CreatedAt = colTime(stmt, 0)
				return nil
			}, d.ID, d.Label, d.Centroid, d.TopTerms, d.MemoryCount, d.CreatedAt, d.Metadata)
	})
	if err != nil {
		return store.Domain{}, interpretError(ctx, err)
	}
	return d, nil
}

// DeleteDomain returns store.ErrNotFound for an unknown id. Memories keep the domain's id in
// their domains list, as in Postgres (there is no foreign key from an array).
func (s *Store) DeleteDomain(ctx context.Context, id string) error {
	if err := store.ValidateText("domain id", id); err != nil {
		return err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := exec(conn, `DELETE FROM domains WHERE id = ?1`, id); err != nil {
			return err
		}
		if conn.Changes() == 0 {
			return notFound("domain", id)
		}
		return nil
	})
	return interpretError(ctx, err)
}

// Classify is vestige_classify: the cosine similarity of each domain's centroid to
// embedding, best first, ties by domain id bytewise (Go compares strings byte by byte, as
// COLLATE "C" does). Domains without a centroid, or with one of another dimension or of
// zero length, are skipped. An empty embedding, or one store.CheckVector refuses (not
// finite, norm outside [MinVectorNorm, MaxVectorNorm]), is store.ErrInvalidInput, checked
// before the dimension as the SQL function does; a dimension other than the registered
// model's is *store.DimensionError.
func (s *Store) Classify(ctx context.Context, embedding []float32) ([]store.Classification, error) {
	if len(embedding) == 0 {
		return nil, &store.InvalidInputError{Field: "embedding", Reason: "is empty"}
	}
	if err := store.CheckVector("embedding", embedding); err != nil {
		return nil, err
	}
	out := []store.Classification{}
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		registered, err := model(conn)
		if err != nil {
			return err
		}
		if registered != nil && len(embedding) != registered.Dimension {
			return &store.DimensionError{Got: len(embedding), Want: registered.Dimension}
		}
		return query(conn, `SELECT id, centroid FROM domains WHERE centroid IS NOT NULL AND length(centroid) = ?1`,
			func(stmt *sqlite.Stmt) error {
				c, err := colVector(stmt, 1)
				if err != nil || unit(c) == nil {
					return err
				}
				// pgvector: 1 - (1 - clamp(cosine, -1, 1)).
				sim := 1 - (1 - embedder.Cosine(embedding, c))
				out = append(out, store.Classification{DomainID: stmt.ColumnText(0), Similarity: sim})
				return nil
			}, 4*len(embedding))
	})
	if err != nil {
		return nil, interpretError(ctx, err)
	}
	slices.SortFunc(out, func(a, b store.Classification) int {
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), cmp.Compare(a.DomainID, b.DomainID))
	})
	return out, nil
}
