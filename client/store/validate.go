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

// checkLabel holds a node type, tag, domain, edge type, domain id or top term to the label
// rule: 1 to MaxLabelBytes bytes of UTF-8, not blank, no control character.
func checkLabel(field, s string) error {
	switch {
	case s == "":
		return &InvalidInputError{Field: field, Reason: "is empty"}
	case len(s) > MaxLabelBytes:
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("is %d bytes, more than the %d allowed", len(s), MaxLabelBytes)}
	}
	if err := checkText(field, s); err != nil {
		return err
	}
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return &InvalidInputError{Field: field, Reason: fmt.Sprintf("contains the control character U+%04X", r)}
		}
	}
	if isBlank(s) {
		return &InvalidInputError{Field: field, Reason: "is blank (only white space)"}
	}
	return nil
}

func checkLabels(field string, ss []string, limit int) error {
	if len(ss) > limit {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("has %d values, more than the %d allowed", len(ss), limit)}
	}
	for i, s := range ss {
		if err := checkLabel(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

// isBlank: only Unicode white space (unicode.IsSpace), the set the schema's
// value_rule_is_blank names.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func checkTexts(field string, ss []string) error {
	for i, s := range ss {
		if err := checkText(fmt.Sprintf("%s[%d]", field, i), s); err != nil {
			return err
		}
	}
	return nil
}

// MaxContentBytes bounds a memory's content. Postgres keeps at most 1 MB of distinct words in
// a tsvector; this bound keeps every memory storable on both backends, so that a copy from
// SQLite to Postgres never meets one it cannot write.
const MaxContentBytes = 256 << 10

// ValidateMemory refuses a memory that breaks the value rules (docs/value-rules.md), naming
// the field and the limit. Zero times and an empty node type pass (the store fills them).
func ValidateMemory(m Memory) error {
	m = FillDefaults(m)
	if len(m.Content) > MaxContentBytes {
		return &InvalidInputError{Field: "content", Reason: fmt.Sprintf("is %d bytes, more than the %d allowed", len(m.Content), MaxContentBytes)}
	}
	if isBlank(m.Content) {
		return &InvalidInputError{Field: "content", Reason: "is empty (only white space)"}
	}
	checks := []error{
		checkText("content", m.Content),
		checkLabel("node_type", m.NodeType),
		checkLabels("tags", m.Tags, MaxLabels),
		checkLabels("domains", m.Domains, MaxLabels),
		CheckVector("embedding", m.Embedding),
		checkScores("domain_scores", m.DomainScores),
		CheckJSONObject("metadata", m.Metadata),
		checkTimeIfSet("created_at", m.CreatedAt),
		checkTimeIfSet("updated_at", m.UpdatedAt),
	}
	return firstError(checks...)
}

func checkScores(field string, scores map[string]float64) error {
	if len(scores) > MaxLabels {
		return &InvalidInputError{Field: field, Reason: fmt.Sprintf("has %d entries, more than the %d allowed", len(scores), MaxLabels)}
	}
	for k, v := range scores {
		if err := checkLabel(field+" key", k); err != nil {
			return err
		}
		if err := checkFloat(field+"."+k, v); err != nil {
			return err
		}
	}
	return nil
}

func checkTimeIfSet(field string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	return CheckTime(field, t)
}

// ValidateEdge refuses an edge the graph walk could not use.
func ValidateEdge(e Edge) error {
	if e.EdgeType == "" {
		e.EdgeType = DefaultEdgeType // filled by the store
	}
	if e.SourceID == e.TargetID {
		return &InvalidInputError{Field: "edge", Reason: "source and target are the same memory"}
	}
	if math.IsNaN(e.Weight) || e.Weight < 0 || e.Weight > 1 {
		return &InvalidInputError{Field: "weight", Reason: fmt.Sprintf("%v is outside [0, 1]", e.Weight)}
	}
	return firstError(checkLabel("edge_type", e.EdgeType), checkTimeIfSet("created_at", e.CreatedAt))
}

// ValidateDomain refuses a domain that breaks the value rules.
func ValidateDomain(d Domain) error {
	if len(d.Label) > MaxDomainLabelBytes {
		return &InvalidInputError{Field: "label", Reason: fmt.Sprintf("is %d bytes, more than the %d allowed", len(d.Label), MaxDomainLabelBytes)}
	}
	if d.MemoryCount < 0 || d.MemoryCount > math.MaxInt32 {
		return &InvalidInputError{Field: "memory_count", Reason: fmt.Sprintf("%d is outside [0, %d]", d.MemoryCount, math.MaxInt32)}
	}
	return firstError(
		checkLabel("domain id", d.ID), checkText("label", d.Label),
		checkLabels("top_terms", d.TopTerms, MaxTopTerms), CheckVector("centroid", d.Centroid),
		CheckJSONObject("metadata", d.Metadata), checkTimeIfSet("created_at", d.CreatedAt),
	)
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
	case s.Reps < 0 || s.Lapses < 0 || s.Reps > math.MaxInt32 || s.Lapses > math.MaxInt32:
		return &InvalidInputError{Field: "reps/lapses", Reason: fmt.Sprintf("must be in [0, %d]", math.MaxInt32)}
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
