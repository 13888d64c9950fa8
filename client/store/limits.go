package store

import (
	"fmt"
	"math"
	"time"
)

// The value rules: every limit a stored value must keep, the same on both backends and in the
// Postgres schema (docs/value-rules.md lists them with their reasons). A value past a limit
// is refused with *InvalidInputError naming the field and the limit; nothing is cut or
// rounded to fit.
const (
	// MaxLabelBytes bounds a node type, a tag, a domain (of a memory or a domain's id), an
	// edge type and a top term. Postgres indexes these values (btree and GIN), whose entries
	// must stay well below a page's third (~2.7 KB).
	MaxLabelBytes = 256
	// MaxLabels bounds how many tags, domains or domain scores one memory has.
	MaxLabels = 64
	// MaxTopTerms bounds a domain's top terms.
	MaxTopTerms = 256
	// MaxDomainLabelBytes bounds a domain's display label.
	MaxDomainLabelBytes = 1024
	// MaxMetadataBytes bounds the encoded metadata of a memory or a domain.
	MaxMetadataBytes = 64 << 10
	// MaxMetadataDepth bounds the nesting of metadata: the object itself is depth 1. SQLite's
	// JSON functions stop at 1,000 levels and Go's decoder at 10,000; 32 keeps every reader
	// far from its own limit.
	MaxMetadataDepth = 32
	// MaxDimension is pgvector's limit for an indexed vector column (HNSW: 2,000 dims for
	// vector; the vector type itself holds 16,000).
	MaxDimension = 16000
	// MinVectorNorm and MaxVectorNorm bound an embedding's Euclidean norm. pgvector computes
	// cosine with float32 sums of squares: below ~1e-19 they underflow to zero and the score
	// is NaN; far above they overflow. A real model's vectors have norms near 1.
	MinVectorNorm = 1e-6
	MaxVectorNorm = 1e6
	// MaxIntervalDays bounds the FSRS maximum interval (the reference scheduler's default).
	MaxIntervalDays = 36500
	// MaxQueryTextChars and MaxQueryTerms bound the work any query text can cause, the same
	// on both backends and in SQL (vestige_fts_terms): only the first 64 distinct search
	// terms of the first 100,000 characters (Unicode code points) count. Longer text is
	// never refused, the rest is ignored. 100,000 characters keep to_tsvector far from its
	// 1 MB limit while a long pasted question still counts whole.
	MaxQueryTextChars = 100000
	MaxQueryTerms     = 64
)

// MinTime and MaxTime bound every stored time (created_at, updated_at, review times, due
// dates): RFC 3339 and JSON can write years 0000–9999 only, so a later time could be stored
// but never exported or printed. The range starts one microsecond after Go's zero time,
// which the Go API reads as "not given" (a store fills it), so it is never a stored value.
var (
	MinTime = time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)
	MaxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// CheckTime refuses a time outside [MinTime, MaxTime], naming the field.
func CheckTime(field string, t time.Time) error {
	if t.IsZero() {
		return &InvalidInputError{Field: field, Reason: "is 0001-01-01T00:00:00Z, the zero time, which means \"not given\": the stored range starts one microsecond later"}
	}
	if t.Before(MinTime) || t.After(MaxTime) {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("%s is outside the stored range %s to %s",
			t.UTC().Format(time.RFC3339Nano), MinTime.Format("2006-01-02"), MaxTime.Format("2006-01-02"))}
	}
	return nil
}

// CheckVector refuses a vector that cosine similarity cannot score: a non-finite element, a
// norm outside [MinVectorNorm, MaxVectorNorm] (the zero vector included), or more than
// MaxDimension elements. An empty vector passes (no embedding).
func CheckVector(field string, v []float32) error {
	if len(v) == 0 {
		return nil
	}
	if len(v) > MaxDimension {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("has %d dimensions, more than the %d allowed", len(v), MaxDimension)}
	}
	var sum float64
	for i, f := range v {
		x := float64(f)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &InvalidInputError{Field: field, Reason: fmt.Sprintf("element %d is not a finite number", i)}
		}
		sum += x * x
	}
	norm := math.Sqrt(sum)
	switch {
	case norm == 0:
		return &InvalidInputError{Field: field, Reason: "is the zero vector (cosine similarity is undefined)"}
	case norm < MinVectorNorm:
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("has norm %.3g, below the %g allowed (too small to normalise)", norm, MinVectorNorm)}
	case norm > MaxVectorNorm:
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("has norm %.3g, above the %g allowed", norm, MaxVectorNorm)}
	}
	return nil
}
