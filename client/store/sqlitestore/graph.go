package sqlitestore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// AddEdge inserts the edge, or updates the weight of an existing one (keeping its
// created_at), and returns it as stored. An unknown memory is store.ErrNotFound.
func (s *Store) AddEdge(ctx context.Context, e store.Edge) (store.Edge, error) {
	e = store.FillEdgeDefaults(e, store.Now())
	if err := store.ValidateEdge(e); err != nil {
		return store.Edge{}, err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		for _, id := range []uuid.UUID{e.SourceID, e.TargetID} {
			if err := memoryExists(conn, id); err != nil {
				return err
			}
		}
		return query(conn, `INSERT INTO edges (source_id, target_id, edge_type, weight, created_at)
			VALUES (?1, ?2, ?3, ?4, ?5)
			ON CONFLICT (source_id, target_id, edge_type) DO UPDATE SET weight = excluded.weight
			RETURNING created_at`,
			func(stmt *sqlite.Stmt) error {
				e.CreatedAt = colTime(stmt, 0)
				return nil
			}, e.SourceID, e.TargetID, e.EdgeType, e.Weight, e.CreatedAt)
	})
	if err != nil {
		return store.Edge{}, interpretError(ctx, err)
	}
	return e, nil
}

// GetEdges lists the edges touching nodeID in either direction (of edgeType, unless ""),
// ordered by source, target, type (SQLite compares text bytewise, as the Postgres store's
// COLLATE "C" does). An unknown memory has none.
func (s *Store) GetEdges(ctx context.Context, nodeID uuid.UUID, edgeType string) ([]store.Edge, error) {
	if err := store.ValidateText("edge_type", edgeType); err != nil {
		return nil, err
	}
	out := []store.Edge{}
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		return query(conn, `SELECT source_id, target_id, edge_type, weight, created_at FROM edges
			 WHERE (source_id = ?1 OR target_id = ?1) AND (?2 = '' OR edge_type = ?2)
			 ORDER BY source_id, target_id, edge_type`,
			func(stmt *sqlite.Stmt) error {
				e, err := scanEdge(stmt)
				out = append(out, e)
				return err
			}, nodeID, edgeType)
	})
	if err != nil {
		return nil, interpretError(ctx, err)
	}
	return out, nil
}

func scanEdge(stmt *sqlite.Stmt) (store.Edge, error) {
	src, err := colUUID(stmt, 0)
	if err != nil {
		return store.Edge{}, err
	}
	dst, err := colUUID(stmt, 1)
	return store.Edge{SourceID: src, TargetID: dst, EdgeType: stmt.ColumnText(2),
		Weight: stmt.ColumnFloat(3), CreatedAt: colTime(stmt, 4)}, err
}

// RemoveEdge deletes one edge ("" is the default type); a missing edge is store.ErrNotFound.
func (s *Store) RemoveEdge(ctx context.Context, source, target uuid.UUID, edgeType string) error {
	if edgeType == "" {
		edgeType = store.DefaultEdgeType
	}
	if err := store.ValidateText("edge_type", edgeType); err != nil {
		return err
	}
	err := s.write(ctx, func(conn *sqlite.Conn) error {
		if err := exec(conn, `DELETE FROM edges WHERE source_id = ?1 AND target_id = ?2 AND edge_type = ?3`,
			source, target, edgeType); err != nil {
			return err
		}
		if conn.Changes() == 0 {
			return notFound("edge", fmt.Sprintf("%s -[%s]-> %s", source, edgeType, target))
		}
		return nil
	})
	return interpretError(ctx, err)
}

// The constants of vestige_neighbors.
const (
	activationDecay = 0.7 // per hop
	maxNeighbors    = 256
	maxDepth        = 10
)

// Neighbors is vestige_neighbors: spreading activation from nodeID over edges in both
// directions (of edgeType, unless ""). A node's activation is the best over paths of at most
// depth edges of the product of weights × 0.7 per hop, found by relaxing one hop at a time
// exactly as the PL/pgSQL loop does; the start node comes first (1.0, hops 0); at most 256
// nodes, ordered by activation desc, hops, id.
func (s *Store) Neighbors(ctx context.Context, nodeID uuid.UUID, depth int, edgeType string) ([]store.Neighbor, error) {
	if depth < 0 || depth > maxDepth {
		return nil, &store.InvalidInputError{Field: "depth", Reason: fmt.Sprintf("%d is outside 0..%d", depth, maxDepth)}
	}
	if err := store.ValidateText("edge_type", edgeType); err != nil {
		return nil, err
	}
	var out []store.Neighbor
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		if err := memoryExists(conn, nodeID); err != nil {
			return err
		}
		nodes, err := spread(conn, nodeID.String(), depth, edgeType)
		if err != nil {
			return err
		}
		ids := make([]string, len(nodes))
		for i, n := range nodes {
			ids[i] = n.id
		}
		mems, err := memoriesByID(conn, ids)
		if err != nil {
			return err
		}
		out = make([]store.Neighbor, 0, len(nodes))
		for _, n := range nodes {
			if m, ok := mems[n.id]; ok {
				out = append(out, store.Neighbor{Memory: m, Activation: n.act, Hops: n.hops})
			}
		}
		return nil
	})
	if err != nil {
		return nil, interpretError(ctx, err)
	}
	return out, nil
}

type activated struct {
	id   string
	act  float64
	hops int
}

// spread runs the relaxation. Each hop reads the edges of the frontier (the nodes improved
// by the previous hop) in both directions, keeps the best activation reaching each node, and
// records the nodes it improves, with that hop count.
func spread(conn *sqlite.Conn, start string, depth int, edgeType string) ([]activated, error) {
	best := map[string]*activated{start: {id: start, act: 1.0, hops: 0}}
	frontier := map[string]float64{start: 1.0}
	for hop := 1; hop <= depth && len(frontier) > 0; hop++ {
		ids := make([]string, 0, len(frontier))
		for id := range frontier {
			ids = append(ids, id)
		}
		candidate := map[string]float64{}
		err := query(conn, `SELECT e.source_id, e.target_id, e.weight FROM edges e
			 WHERE e.source_id IN (SELECT value FROM json_each(?1)) AND (?2 = '' OR e.edge_type = ?2)
			UNION ALL
			SELECT e.source_id, e.target_id, e.weight FROM edges e
			 WHERE e.target_id IN (SELECT value FROM json_each(?1)) AND (?2 = '' OR e.edge_type = ?2)`,
			func(stmt *sqlite.Stmt) error {
				src, dst, w := stmt.ColumnText(0), stmt.ColumnText(1), stmt.ColumnFloat(2)
				// An edge may touch the frontier at either end, or both.
				if act, ok := frontier[src]; ok {
					reach(candidate, dst, act*w*activationDecay)
				}
				if act, ok := frontier[dst]; ok {
					reach(candidate, src, act*w*activationDecay)
				}
				return nil
			}, ids, edgeType)
		if err != nil {
			return nil, err
		}
		frontier = map[string]float64{}
		for id, act := range candidate {
			if b, ok := best[id]; ok && !(act > b.act) {
				continue
			}
			best[id] = &activated{id: id, act: act, hops: hop}
			frontier[id] = act
		}
	}
	nodes := make([]activated, 0, len(best))
	for _, n := range best {
		nodes = append(nodes, *n)
	}
	slices.SortFunc(nodes, func(a, b activated) int {
		return cmp.Or(cmp.Compare(b.act, a.act), cmp.Compare(a.hops, b.hops), cmp.Compare(a.id, b.id))
	})
	return nodes[:min(len(nodes), maxNeighbors)], nil
}

func reach(candidate map[string]float64, id string, act float64) {
	if cur, ok := candidate[id]; !ok || act > cur {
		candidate[id] = act
	}
}
