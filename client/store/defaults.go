package store

import (
	"maps"
	"math"
	"time"
)

// FillDefaults gives a memory the values the Store interface promises for missing ones: an
// empty node type becomes DefaultNodeType, nil slices and maps empty ones, an empty embedding
// none. Ids and times are left alone: who fills those (a new insert, a scan, an import)
// differs.
func FillDefaults(m Memory) Memory {
	if m.NodeType == "" {
		m.NodeType = DefaultNodeType
	}
	if m.Tags == nil {
		m.Tags = []string{}
	}
	if m.Domains == nil {
		m.Domains = []string{}
	}
	if m.DomainScores == nil {
		m.DomainScores = map[string]float64{}
	}
	for k, v := range m.DomainScores {
		if v == 0 && math.Signbit(v) { // see PositiveZero; the caller's map is left alone
			m.DomainScores = maps.Clone(m.DomainScores)
			m.DomainScores[k] = 0
		}
	}
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	if len(m.Embedding) == 0 {
		m.Embedding = nil
	}
	return m
}

// FillEdgeDefaults gives an edge the values the Store interface promises for missing ones: an
// empty type becomes DefaultEdgeType, a zero created_at now; the time is brought to the
// stored precision.
func FillEdgeDefaults(e Edge, now time.Time) Edge {
	if e.EdgeType == "" {
		e.EdgeType = DefaultEdgeType
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	e.Weight = PositiveZero(e.Weight)
	e.CreatedAt = Truncate(e.CreatedAt)
	return e
}

// PositiveZero turns -0 into 0 and leaves every other value alone: the backends disagree on
// -0 (Postgres keeps it in a double column and drops it in jsonb; SQLite drops it in a REAL
// column and keeps it in JSON text), so the store never writes one.
func PositiveZero(f float64) float64 {
	if f == 0 {
		return 0
	}
	return f
}
