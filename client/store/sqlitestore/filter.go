package sqlitestore

import (
	"strings"
	"time"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// filter is vestige_filter_clause: the search filters as SQL over `memories m`, one builder
// for both branches so that they apply identically. Parameters are numbered as in the
// Postgres function: ?2 domains, ?3 node types, ?4 tags, ?5 minimum retrievability, ?6 FSRS
// decay, and ?7 the query's "now" (Postgres' now()); ?1 and ?8 belong to the caller.
// Only the filters in use are emitted, so each statement is prepared for them.
type filter struct {
	domains, nodeTypes, tags []string // nil: not filtered
	minRetrievability        *float64
	decay                    *float64
	now                      time.Time
}

// newFilter reads q's filters. An empty list is no filter, as nil is (vestige_filter_clause
// holds the same rule for an empty SQL array). The FSRS decay is read in the caller's
// transaction, only when the retrievability filter needs it.
func newFilter(conn *sqlite.Conn, q store.SearchQuery) (filter, error) {
	f := filter{now: store.Now(), minRetrievability: q.MinRetrievability}
	if len(q.Domains) > 0 {
		f.domains = q.Domains
	}
	if len(q.NodeTypes) > 0 {
		f.nodeTypes = q.NodeTypes
	}
	if len(q.Tags) > 0 {
		f.tags = q.Tags
	}
	if f.minRetrievability != nil {
		d, err := fsrsDecay(conn)
		if err != nil {
			return f, err
		}
		f.decay = d
	}
	return f, nil
}

func (f filter) active() bool {
	return f.domains != nil || f.nodeTypes != nil || f.tags != nil || f.minRetrievability != nil
}

// clause is the SQL to append to a WHERE over `memories m`.
func (f filter) clause() string {
	var b strings.Builder
	if f.domains != nil {
		b.WriteString(` AND EXISTS (SELECT 1 FROM json_each(m.domains) d WHERE d.value IN (SELECT value FROM json_each(?2)))`)
	}
	if f.nodeTypes != nil {
		b.WriteString(` AND m.node_type IN (SELECT value FROM json_each(?3))`)
	}
	if f.tags != nil {
		b.WriteString(` AND EXISTS (SELECT 1 FROM json_each(m.tags) t WHERE t.value IN (SELECT value FROM json_each(?4)))`)
	}
	if f.minRetrievability != nil {
		b.WriteString(` AND coalesce((SELECT vestige_forgetting_curve(s.stability, (?7 - s.last_review) / 86400000000.0, ?6)
			FROM scheduling s WHERE s.memory_id = m.id AND s.last_review IS NOT NULL), 1.0) >= ?5`)
	}
	return b.String()
}

// args are the statement's arguments: first as ?1, the filter's as ?2…?7, last as ?8.
func (f filter) args(first, last any) []any {
	list := func(ss []string) any {
		if ss == nil {
			return nil
		}
		return ss
	}
	return []any{first, list(f.domains), list(f.nodeTypes), list(f.tags), f.minRetrievability, f.decay, f.now, last}
}

// fsrsDecay is w20 of fsrs_parameters (weights[21] in Postgres' 1-based arrays), nil when the
// row is missing, as the Postgres SELECT INTO leaves it NULL.
func fsrsDecay(conn *sqlite.Conn) (*float64, error) {
	var d *float64
	_, err := queryOne(conn, `SELECT json_extract(weights, '$[20]') FROM fsrs_parameters WHERE id = 1`,
		func(stmt *sqlite.Stmt) error {
			if !stmt.ColumnIsNull(0) {
				v := stmt.ColumnFloat(0)
				d = &v
			}
			return nil
		})
	return d, err
}
