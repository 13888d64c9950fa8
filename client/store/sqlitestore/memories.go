package sqlitestore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// memoryColumns are the columns vestige_search and vestige_due return for a memory, in the
// order scanMemory reads them: every column but the embedding.
const memoryColumns = `m.id, m.content, m.node_type, m.tags, m.domains, m.domain_scores, m.metadata,
	m.created_at, m.updated_at`

// scanMemory reads memoryColumns starting at column col.
func scanMemory(stmt *sqlite.Stmt, col int) (store.Memory, error) {
	var m store.Memory
	var err error
	if m.ID, err = colUUID(stmt, col); err != nil {
		return m, err
	}
	m.Content = stmt.ColumnText(col + 1)
	m.NodeType = stmt.ColumnText(col + 2)
	if m.Tags, err = colStrings(stmt, col+3); err != nil {
		return m, err
	}
	if m.Domains, err = colStrings(stmt, col+4); err != nil {
		return m, err
	}
	if m.DomainScores, err = colScores(stmt, col+5); err != nil {
		return m, err
	}
	if m.Metadata, err = colObject(stmt, col+6); err != nil {
		return m, err
	}
	m.CreatedAt = colTime(stmt, col+7)
	m.UpdatedAt = colTime(stmt, col+8)
	return m, nil
}

// withDefaults is m as it will be stored: defaults applied (a zero id gets a new UUID, zero
// times now, an empty node type DefaultNodeType, nil slices and maps empty ones, an empty
// embedding none) and times at the stored precision.
func withDefaults(m store.Memory) store.Memory {
	now := store.Now()
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	m = store.FillDefaults(m)
	if m.CreatedAt.IsZero() {
		m.CreatedAt = now
	}
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = now
	}
	m.CreatedAt = store.Truncate(m.CreatedAt)
	m.UpdatedAt = store.Truncate(m.UpdatedAt)
	return m
}

// Insert stores m (defaults as withDefaults); an id that exists is store.ErrConflict.
func (s *Store) Insert(ctx context.Context, m store.Memory) (store.Memory, error) {
	m = withDefaults(m)
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := checkEmbedding(conn, m.Embedding); err != nil {
			return err
		}
		if err := exec(conn, `INSERT INTO memories (id, content, node_type, tags, domains, domain_scores,
				embedding, metadata, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
			m.ID, m.Content, m.NodeType, m.Tags, m.Domains, m.DomainScores, m.Embedding, m.Metadata,
			m.CreatedAt, m.UpdatedAt); err != nil {
			return err
		}
		if err := s.checkWriter(conn, m.Embedding); err != nil {
			return err
		}
		return indexFTSByID(conn, m.ID)
	})
	if err != nil {
		return store.Memory{}, interpretError(ctx, err)
	}
	return m, nil
}

// Get returns the memory with its embedding.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (store.Memory, error) {
	var m store.Memory
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		found, err := queryOne(conn, `SELECT `+memoryColumns+`, m.embedding FROM memories m WHERE m.id = ?1`,
			func(stmt *sqlite.Stmt) error {
				var err error
				if m, err = scanMemory(stmt, 0); err != nil {
					return err
				}
				m.Embedding, err = colVector(stmt, 9)
				return err
			}, id)
		if err == nil && !found {
			err = notFound("memory", id)
		}
		return err
	})
	return m, interpretError(ctx, err)
}

// Update replaces every field but id and created_at. updated_at becomes now, unless m carries
// a later one than the stored value (an import replaying history keeps its times).
func (s *Store) Update(ctx context.Context, m store.Memory) (store.Memory, error) {
	given := m.UpdatedAt
	m = withDefaults(m)
	if err := store.ValidateMemory(m); err != nil {
		return store.Memory{}, err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		found, err := queryOne(conn, `SELECT created_at, updated_at FROM memories WHERE id = ?1`,
			func(stmt *sqlite.Stmt) error {
				m.CreatedAt = colTime(stmt, 0)
				m.UpdatedAt = store.Now()
				if stored := colTime(stmt, 1); !given.IsZero() && store.Truncate(given).After(stored) {
					m.UpdatedAt = store.Truncate(given)
				}
				return nil
			}, m.ID)
		if err != nil {
			return err
		}
		if !found {
			return notFound("memory", m.ID)
		}
		if err := checkEmbedding(conn, m.Embedding); err != nil {
			return err
		}
		if err := exec(conn, `UPDATE memories SET content = ?2, node_type = ?3, tags = ?4, domains = ?5,
				domain_scores = ?6, embedding = ?7, metadata = ?8, updated_at = ?9
			WHERE id = ?1`,
			m.ID, m.Content, m.NodeType, m.Tags, m.Domains, m.DomainScores, m.Embedding, m.Metadata, m.UpdatedAt); err != nil {
			return err
		}
		if err := s.checkWriter(conn, m.Embedding); err != nil {
			return err
		}
		return indexFTSByID(conn, m.ID)
	})
	if err != nil {
		return store.Memory{}, interpretError(ctx, err)
	}
	return m, nil
}

// Delete removes the memory with its scheduling row, edges and review events.
func (s *Store) Delete(ctx context.Context, id uuid.UUID) error {
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := exec(conn, `DELETE FROM memories WHERE id = ?1`, id); err != nil {
			return err
		}
		if conn.Changes() == 0 {
			return notFound("memory", id)
		}
		return nil
	})
	return interpretError(ctx, err)
}

// Count is the number of memories.
func (s *Store) Count(ctx context.Context) (int64, error) {
	var n int64
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		_, err := queryOne(conn, `SELECT count(*) FROM memories`, func(stmt *sqlite.Stmt) error {
			n = stmt.ColumnInt64(0)
			return nil
		})
		return err
	})
	return n, interpretError(ctx, err)
}

// memoryExists is the VS005 check of the SQL functions that take a memory id.
func memoryExists(conn *sqlite.Conn, id uuid.UUID) error {
	found, err := queryOne(conn, `SELECT 1 FROM memories WHERE id = ?1`, func(*sqlite.Stmt) error { return nil }, id)
	if err == nil && !found {
		err = notFound("memory", id)
	}
	return err
}

func notFound(what string, key any) error {
	return fmt.Errorf("%w: %s %v", store.ErrNotFound, what, key)
}
