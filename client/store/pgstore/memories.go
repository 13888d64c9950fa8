package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/vestige-mem/vestige/client/store"
)

// memoryColumns are a memory's columns as every reader selects them. The embedding is read
// as `::vector` (no typmod): the registry stamps vector(N) on the column, and a prepared
// statement whose result type changes under it fails once per connection.
const memoryColumns = `m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
	m.created_at, m.updated_at`

// memoryDest scans memoryColumns (and, when emb is set, the embedding after them).
type memoryDest struct {
	m   store.Memory
	emb *pgvector.Vector
}

func (d *memoryDest) targets() []any {
	return []any{&d.m.ID, &d.m.Content, &d.m.NodeType, &d.m.Tags, &d.m.Domains, &d.m.DomainScores,
		&d.m.Metadata, &d.m.CreatedAt, &d.m.UpdatedAt}
}

// memory returns the scanned memory in the store's canonical form: UTC times, empty (never
// nil) slices and maps.
func (d *memoryDest) memory() store.Memory {
	m := d.m
	m.CreatedAt = m.CreatedAt.UTC()
	m.UpdatedAt = m.UpdatedAt.UTC()
	if d.emb != nil {
		m.Embedding = d.emb.Slice()
	}
	return store.FillDefaults(m)
}

// vectorArg is an embedding as a query argument: NULL when empty.
func vectorArg(v []float32) any {
	if len(v) == 0 {
		return nil
	}
	return pgvector.NewVector(v)
}

// jsonArg encodes a map for a `$n::jsonb` parameter. It is sent as text so that every exec
// mode (simple protocol included) encodes it the same way.
func jsonArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", &store.InvalidInputError{Reason: err.Error()}
	}
	return string(b), nil
}

// timeArg is a time as stored (UTC microseconds), or NULL when zero.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return store.Truncate(t)
}

// checkEmbedding refuses an embedding that the registered model would not accept, before
// any write: no model (ErrNoModel) or another dimension (*DimensionError).
func (s *Store) checkEmbedding(ctx context.Context, c *pgxpool.Conn, emb []float32) error {
	if len(emb) == 0 {
		return nil
	}
	model := s.model.Load()
	if model == nil {
		var err error
		if model, err = loadModel(ctx, c); err != nil {
			return err
		}
		if model == nil {
			return store.ErrNoModel
		}
		s.model.Store(model)
	}
	if len(emb) != model.Dimension {
		return &store.DimensionError{Got: len(emb), Want: model.Dimension}
	}
	return nil
}

// querier is what a write needs of a connection or a transaction.
type querier interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	QueryRow(context.Context, string, ...any) pgx.Row
}

// writeVector runs a write of a memory. With a vector, the write and a second look at the
// registry share a transaction, the look after the write: the write's lock on memories
// orders it with a re-embed's switch (which holds memories exclusively while it changes the
// registry), so either the switch committed first and the look sees the new model, or the
// switch waits and re-embeds what this wrote. A client that opened the store on the old
// model is refused (*EmbeddingMismatchError) rather than mixing its vectors into the new
// model's store.
func (s *Store) writeVector(ctx context.Context, c *pgxpool.Conn, emb []float32, write func(querier) error) error {
	want := s.model.Load()
	if len(emb) == 0 || want == nil {
		return write(c)
	}
	return pgx.BeginFunc(ctx, c, func(tx pgx.Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		have, err := loadModel(ctx, tx)
		if err != nil {
			return err
		}
		if have == nil {
			return store.ErrNoModel
		}
		if *have != *want {
			return &store.EmbeddingMismatchError{Registered: *have, Requested: *want}
		}
		return nil
	})
}

// Insert stores a new memory with the defaults the interface promises.
func (s *Store) Insert(ctx context.Context, m store.Memory) (store.Memory, error) {
	m = store.FillDefaults(m)
	if m.ID == uuid.Nil {
		id, err := uuid.NewV7() // time-ordered: new rows land at the right of the primary key
		if err != nil {
			return store.Memory{}, fmt.Errorf("pgstore insert: %w", err)
		}
		m.ID = id
	}
	now := store.Now()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = now
	}
	m.CreatedAt, m.UpdatedAt = store.Truncate(m.CreatedAt), store.Truncate(m.UpdatedAt)
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, fmt.Errorf("pgstore insert: %w", err)
	}
	scores, err := jsonArg(m.DomainScores)
	if err != nil {
		return store.Memory{}, fmt.Errorf("pgstore insert: %w", err)
	}
	meta, err := jsonArg(m.Metadata)
	if err != nil {
		return store.Memory{}, fmt.Errorf("pgstore insert: %w", err)
	}
	err = s.with(ctx, "insert", func(c *pgxpool.Conn) error {
		if err := s.checkEmbedding(ctx, c, m.Embedding); err != nil {
			return err
		}
		return s.writeVector(ctx, c, m.Embedding, func(q querier) error {
			_, err := q.Exec(ctx, `INSERT INTO memories
				(id, content, node_type, tags, domains, domain_scores, embedding, metadata, created_at, updated_at)
				VALUES ($1::uuid, $2::text, $3::text, $4::text[], $5::text[], $6::jsonb, $7::vector, $8::jsonb,
				        $9::timestamptz, $10::timestamptz)`,
				m.ID, m.Content, m.NodeType, m.Tags, m.Domains, scores, vectorArg(m.Embedding), meta,
				m.CreatedAt, m.UpdatedAt)
			return err
		})
	})
	if err != nil {
		return store.Memory{}, err
	}
	return m, nil
}

// Get returns a memory with its embedding.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (store.Memory, error) {
	var d memoryDest
	err := s.read(ctx, "get", func(c *pgxpool.Conn) error {
		err := c.QueryRow(ctx, `SELECT `+memoryColumns+`, m.embedding::vector FROM memories m WHERE m.id = $1::uuid`, id).
			Scan(append(d.targets(), &d.emb)...)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("memory %s: %w", id, store.ErrNotFound)
		}
		return err
	})
	if err != nil {
		return store.Memory{}, err
	}
	return d.memory(), nil
}

// Update replaces a memory's fields in one statement; created_at stays, and updated_at
// becomes now unless the caller's is later than the stored one (an import keeps its own).
func (s *Store) Update(ctx context.Context, m store.Memory) (store.Memory, error) {
	m = store.FillDefaults(m)
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, fmt.Errorf("pgstore update: %w", err)
	}
	scores, err := jsonArg(m.DomainScores)
	if err != nil {
		return store.Memory{}, fmt.Errorf("pgstore update: %w", err)
	}
	meta, err := jsonArg(m.Metadata)
	if err != nil {
		return store.Memory{}, fmt.Errorf("pgstore update: %w", err)
	}
	err = s.with(ctx, "update", func(c *pgxpool.Conn) error {
		if err := s.checkEmbedding(ctx, c, m.Embedding); err != nil {
			return err
		}
		return s.writeVector(ctx, c, m.Embedding, func(q querier) error {
			err := q.QueryRow(ctx, `UPDATE memories m SET content = $2::text, node_type = $3::text,
					tags = $4::text[], domains = $5::text[], domain_scores = $6::jsonb, embedding = $7::vector,
					metadata = $8::jsonb,
					updated_at = CASE WHEN $9::timestamptz > m.updated_at THEN $9::timestamptz ELSE $10::timestamptz END
				WHERE m.id = $1::uuid
				RETURNING m.created_at, m.updated_at`,
				m.ID, m.Content, m.NodeType, m.Tags, m.Domains, scores, vectorArg(m.Embedding), meta,
				timeArg(m.UpdatedAt), store.Now()).Scan(&m.CreatedAt, &m.UpdatedAt)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("memory %s: %w", m.ID, store.ErrNotFound)
			}
			return err
		})
	})
	if err != nil {
		return store.Memory{}, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return m, nil
}

// Delete removes a memory; its scheduling, edges and review events go with it (ON DELETE
// CASCADE).
func (s *Store) Delete(ctx context.Context, id uuid.UUID) error {
	return s.with(ctx, "delete", func(c *pgxpool.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM memories WHERE id = $1::uuid`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("memory %s: %w", id, store.ErrNotFound)
		}
		return err
	})
}

// Count is the number of memories.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx, "count", func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `SELECT count(*) FROM memories`).Scan(&n)
	})
	return n, err
}
