package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/vestige-mem/vestige/client/store"
)

const domainColumns = `d.id, d.label, d.centroid::vector, d.top_terms, d.memory_count, d.created_at, d.metadata`

func scanDomain(row pgx.Row) (store.Domain, error) {
	var d store.Domain
	var centroid *pgvector.Vector
	if err := row.Scan(&d.ID, &d.Label, &centroid, &d.TopTerms, &d.MemoryCount, &d.CreatedAt, &d.Metadata); err != nil {
		return store.Domain{}, err
	}
	if centroid != nil {
		d.Centroid = centroid.Slice()
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return normalizeDomain(d), nil
}

func normalizeDomain(d store.Domain) store.Domain {
	if d.TopTerms == nil {
		d.TopTerms = []string{}
	}
	if d.Metadata == nil {
		d.Metadata = map[string]any{}
	}
	if len(d.Centroid) == 0 {
		d.Centroid = nil
	}
	return d
}

// ListDomains lists every domain by id, bytewise (COLLATE "C": the database's collation
// would sort "a" before "B" under en-US, SQLite and the C locale after it).
func (s *Store) ListDomains(ctx context.Context) ([]store.Domain, error) {
	var out []store.Domain
	err := s.read(ctx, "list domains", func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+domainColumns+` FROM domains d ORDER BY d.id COLLATE "C"`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Domain, error) { return scanDomain(row) })
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// GetDomain returns ErrNotFound for an unknown id.
func (s *Store) GetDomain(ctx context.Context, id string) (store.Domain, error) {
	var d store.Domain
	err := s.read(ctx, "get domain", func(c *pgxpool.Conn) error {
		var err error
		d, err = scanDomain(c.QueryRow(ctx, `SELECT `+domainColumns+` FROM domains d WHERE d.id = $1::text`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("domain %q: %w", id, store.ErrNotFound)
		}
		return err
	})
	return d, err
}

// UpsertDomain inserts a domain or replaces its fields, keeping its created_at.
func (s *Store) UpsertDomain(ctx context.Context, d store.Domain) (store.Domain, error) {
	d = normalizeDomain(d)
	if d.CreatedAt.IsZero() {
		d.CreatedAt = store.Now()
	}
	d.CreatedAt = store.Truncate(d.CreatedAt)
	if err := store.ValidateDomain(d); err != nil {
		return store.Domain{}, fmt.Errorf("pgstore upsert domain: %w", err)
	}
	meta, err := jsonArg(d.Metadata)
	if err != nil {
		return store.Domain{}, fmt.Errorf("pgstore upsert domain: %w", err)
	}
	err = s.with(ctx, "upsert domain", func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO domains (id, label, centroid, top_terms, memory_count, created_at, metadata)
			VALUES ($1::text, $2::text, $3::vector, $4::text[], $5::integer, $6::timestamptz, $7::jsonb)
			ON CONFLICT (id) DO UPDATE SET label = excluded.label, centroid = excluded.centroid,
				top_terms = excluded.top_terms, memory_count = excluded.memory_count, metadata = excluded.metadata
			RETURNING created_at`,
			d.ID, d.Label, vectorArg(d.Centroid), d.TopTerms, d.MemoryCount, d.CreatedAt, meta).Scan(&d.CreatedAt)
	})
	if err != nil {
		return store.Domain{}, err
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return d, nil
}

// DeleteDomain removes a domain; ErrNotFound when there is none. Memories keep the id in
// their domains list: it is a label, not a reference.
func (s *Store) DeleteDomain(ctx context.Context, id string) error {
	return s.with(ctx, "delete domain", func(c *pgxpool.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM domains WHERE id = $1::text`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("domain %q: %w", id, store.ErrNotFound)
		}
		return err
	})
}
