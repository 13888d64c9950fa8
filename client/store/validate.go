package store

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Postgres cannot store a NUL byte or invalid UTF-8 in text. Stored fields with either are
// refused (never silently changed) on both backends, so that data moves between them intact;
// query text is cleaned instead (CleanQueryText), since a query is not kept.

// checkText refuses text that Postgres could not store.
func checkText(field, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return &InvalidInputError{Field: field, Reason: "contains a NUL byte"}
	}
	if !utf8.ValidString(s) {
		return &InvalidInputError{Field: field, Reason: "is not valid UTF-8"}
	}
	return nil
}

func checkTexts(field string, ss []string) error {
	for i, s := range ss {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

// checkJSON walks a JSON-like value for text Postgres could not store (jsonb refuses \u0000).
func checkJSON(field string, v any) error {
	switch x := v.(type) {
	case string:
		return checkText(field, x)
	case map[string]any:
		for k, e := range x {
			if err := checkText(field+" key", k); err != nil {
				return err
			}
			if err := checkJSON(field+"."+k, e); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkJSON(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
		}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &InvalidInputError{Field: field, Reason: "is not a finite number"}
		}
	}
	return nil
}

// MaxContentBytes bounds a memory's content. Postgres keeps at most 1 MB of distinct words in
// a tsvector; this bound keeps every memory storable on both backends, so that a copy from
// SQLite to Postgres never meets one it cannot write.
const MaxContentBytes = 256 << 10

// ValidateMemory refuses a memory that a backend could not store exactly.
func ValidateMemory(m Memory) error {
	if strings.TrimSpace(m.Content) == "" {
		return &InvalidInputError{Field: "content", Reason: "is empty"}
	}
	if len(m.Content) > MaxContentBytes {
		return &InvalidInputError{Field: "content", Reason: fmt.Sprintf("is %d bytes, more than the %d allowed", len(m.Content), MaxContentBytes)}
	}
	checks := []error{
		checkText("content", m.Content),
		checkText("node_type", m.NodeType),
		checkTexts("tags", m.Tags),
		checkTexts("domains", m.Domains),
		CheckVector("embedding", m.Embedding),
	}
	for k, s := range m.DomainScores {
		checks = append(checks, checkText("domain_scores key", k))
		if math.IsNaN(s) || math.IsInf(s, 0) {
			checks = append(checks, &InvalidInputError{Field: "domain_scores." + k, Reason: "is not a finite number"})
		}
	}
	checks = append(checks, checkJSON("metadata", map[string]any(m.Metadata)))
	for _, err := range checks {
		if err != nil {
			return err
		}
	}
	return nil
}

// ValidateEdge refuses an edge the graph walk could not use.
func ValidateEdge(e Edge) error {
	if e.SourceID == e.TargetID {
		return &InvalidInputError{Field: "edge", Reason: "source and target are the same memory"}
	}
	if math.IsNaN(e.Weight) || e.Weight < 0 || e.Weight > 1 {
		return &InvalidInputError{Field: "weight", Reason: fmt.Sprintf("%v is outside [0, 1]", e.Weight)}
	}
	return checkText("edge_type", e.EdgeType)
}

// ValidateDomain refuses a domain a backend could not store exactly.
func ValidateDomain(d Domain) error {
	if d.ID == "" {
		return &InvalidInputError{Field: "domain id", Reason: "is empty"}
	}
	for _, err := range []error{
		checkText("domain id", d.ID), checkText("label", d.Label),
		checkTexts("top_terms", d.TopTerms), CheckVector("centroid", d.Centroid),
		checkJSON("metadata", map[string]any(d.Metadata)),
	} {
		if err != nil {
			return err
		}
	}
	if d.MemoryCount < 0 {
		return &InvalidInputError{Field: "memory_count", Reason: "is negative"}
	}
	return nil
}

// ValidateScheduling refuses a scheduling row outside what FSRS can produce.
func ValidateScheduling(s SchedulingState) error {
	switch {
	case s.State < 1 || s.State > 3:
		return &InvalidInputError{Field: "state", Reason: fmt.Sprintf("%d is not 1 (learning), 2 (review) or 3 (relearning)", s.State)}
	case s.State == 2 && s.Step != nil:
		return &InvalidInputError{Field: "step", Reason: "must be empty in the review state"}
	case s.Step != nil && *s.Step < 0:
		return &InvalidInputError{Field: "step", Reason: "is negative"}
	case s.State != 2 && s.Step == nil:
		return &InvalidInputError{Field: "step", Reason: "is required in the learning and relearning states"}
	case s.LastReview == nil:
		// A scheduling row exists only once a memory was reviewed; a new card has none.
		return &InvalidInputError{Field: "last_review", Reason: "is required (a memory never reviewed has no scheduling row)"}
	case math.IsNaN(s.Stability) || math.IsInf(s.Stability, 0) || s.Stability <= 0:
		return &InvalidInputError{Field: "stability", Reason: "must be a number > 0"}
	case math.IsNaN(s.Difficulty) || s.Difficulty < 1 || s.Difficulty > 10:
		return &InvalidInputError{Field: "difficulty", Reason: "must be in [1, 10]"}
	case math.IsNaN(s.Retrievability) || s.Retrievability < 0 || s.Retrievability > 1:
		return &InvalidInputError{Field: "retrievability", Reason: "must be in [0, 1]"}
	case s.Reps < 0 || s.Lapses < 0:
		return &InvalidInputError{Field: "reps/lapses", Reason: "must be >= 0"}
	}
	if err := CheckTime("last_review", *s.LastReview); err != nil {
		return err
	}
	if s.NextReview != nil {
		return CheckTime("next_review", *s.NextReview)
	}
	return nil
}

// CleanQueryText makes raw user text safe to send as a query: invalid UTF-8 and NUL bytes
// become spaces. Searching never fails on what a user typed.
func CleanQueryText(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	s = strings.ToValidUTF8(s, " ")
	return strings.ReplaceAll(s, "\x00", " ")
}

// Now is the store's clock reading: UTC, truncated to microseconds, the precision both
// backends keep.
func Now() time.Time { return Truncate(time.Now()) }

// Truncate brings t to the stored precision (UTC microseconds).
func Truncate(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ValidateFilters refuses filter values that Postgres could not compare (a NUL byte, invalid
// UTF-8), naming the filter, so that both backends answer such a query with the same error.
func ValidateFilters(q SearchQuery) error {
	for _, err := range []error{
		checkTexts("domain filter", q.Domains), checkTexts("node type filter", q.NodeTypes),
		checkTexts("tag filter", q.Tags), checkQueryVector(q.Embedding),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// checkQueryVector holds a query embedding to the stored vectors' rules.
func checkQueryVector(v []float32) error { return CheckVector("query embedding", v) }
