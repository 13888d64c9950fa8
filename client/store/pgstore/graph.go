package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vestige-mem/vestige/client/store"
)

// AddEdge inserts an edge, or sets the weight of the one with the same (source, target,
// type), keeping its created_at. An end that is not a memory is ErrNotFound.
func (s *Store) AddEdge(ctx context.Context, e store.Edge) (store.Edge, error) {
	e = store.FillEdgeDefaults(e, store.Now())
	if err := store.ValidateEdge(e); err != nil {
		return store.Edge{}, fmt.Errorf("pgstore add edge: %w", err)
	}
	err := s.with(ctx, "add edge", func(c *pgxpool.Conn) error {
		return c.QueryRow(ctx, `INSERT INTO edges (source_id, target_id, edge_type, weight, created_at)
			VALUES ($1::uuid, $2::uuid, $3::text, $4::float8, $5::timestamptz)
			ON CONFLICT (source_id, target_id, edge_type) DO UPDATE SET weight = excluded.weight
			RETURNING created_at`,
			e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt).Scan(&e.CreatedAt)
	})
	if err != nil {
		return store.Edge{}, err
	}
	e.CreatedAt = e.CreatedAt.UTC()
	return e, nil
}

// GetEdges lists the edges touching nodeID in either direction by source id, target id and
// edge type (bytewise, COLLATE "C"): the key's order, the same as SQLite's and the dump's.
func (s *Store) GetEdges(ctx context.Context, nodeID uuid.UUID, edgeType string) ([]store.Edge, error) {
	var out []store.Edge
	err := s.read(ctx, "get edges", func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, `SELECT e.source_id, e.target_id, e.edge_type, e.weight, e.created_at
			FROM edges e
			WHERE (e.source_id = $1::uuid OR e.target_id = $1::uuid)
			  AND ($2::text IS NULL OR e.edge_type = $2::text)
			ORDER BY e.source_id, e.target_id, e.edge_type COLLATE "C"`, nodeID, textArg(edgeType))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Edge, error) {
			var e store.Edge
			err := row.Scan(&e.SourceID, &e.TargetID, &e.EdgeType, &e.Weight, &e.CreatedAt)
			e.CreatedAt = e.CreatedAt.UTC()
			return e, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}

// textArg is NULL for "", the SQL API's "any".
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RemoveEdge deletes the edge source → target of edgeType ("" is DefaultEdgeType, the
// type AddEdge gives an edge written without one); ErrNotFound when there is none.
func (s *Store) RemoveEdge(ctx context.Context, source, target uuid.UUID, edgeType string) error {
	if edgeType == "" {
		edgeType = store.DefaultEdgeType
	}
	return s.with(ctx, "remove edge", func(c *pgxpool.Conn) error {
		tag, err := c.Exec(ctx, `DELETE FROM edges WHERE source_id = $1::uuid AND target_id = $2::uuid AND edge_type = $3::text`,
			source, target, edgeType)
		if err == nil && tag.RowsAffected() == 0 {
			return fmt.Errorf("edge %s -[%s]-> %s: %w", source, edgeType, target, store.ErrNotFound)
		}
		return err
	})
}

// Neighbors is vestige_neighbors joined to the memories it reaches, in one statement (one
// snapshot) and in the function's order. The memories come without their embeddings, as in
// search results.
func (s *Store) Neighbors(ctx context.Context, nodeID uuid.UUID, depth int, edgeType string) ([]store.Neighbor, error) {
	var out []store.Neighbor
	err := s.read(ctx, "neighbors", func(c *pgxpool.Conn) error {
		rows, err := c.Query(ctx, `SELECT `+memoryColumns+`, n.activation, n.hops
			FROM vestige_neighbors(node_id => $1::uuid, depth => $2::integer, edge_type => $3::text)
			     WITH ORDINALITY AS n(memory_id, activation, hops, ord)
			JOIN memories m ON m.id = n.memory_id
			ORDER BY n.ord`, nodeID, depth, textArg(edgeType))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Neighbor, error) {
			var d memoryDest
			var n store.Neighbor
			err := row.Scan(append(d.targets(), &n.Activation, &n.Hops)...)
			n.Memory = d.memory()
			return n, err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return nonNil(out), nil
}
