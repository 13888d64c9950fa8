package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/vestige-mem/vestige/client/fsrs"
)

// Dumper is implemented by a backend that can write out and read back every row it holds:
// the basis of `vestige export` / `vestige import`, and of a copy between backends that keeps
// ids and times. It is a separate interface so that a Store without it still is a Store.
type Dumper interface {
	// Dump calls fn for every row of every table, in a stable order that is the same on
	// every backend (so two dumps of equal stores are equal record by record): the
	// embedding model, the FSRS parameters, domains by id (bytewise), memories by
	// created_at then id (with their embeddings), scheduling by memory_id, edges by source,
	// target, type, review events by reviewed_at then id. It reads one snapshot.
	Dump(ctx context.Context, fn func(Record) error) error
	// Load writes recs in one transaction, inserting only the rows that are absent and
	// keeping their ids and times; it returns how many rows it wrote. Records may come in
	// any order within a call (rows are written in dump order). A model other than the
	// registered one is refused with *EmbeddingMismatchError, and nothing of the call is
	// written. FSRS parameters replace the store's when the store still holds the defaults,
	// and are refused (ErrConflict) when the store's were tuned to other values.
	Load(ctx context.Context, recs []Record) (inserted int, err error)
}

// Record kinds: the "type" of a JSON Lines record.
const (
	RecordEmbeddingModel = "embedding_model"
	RecordFSRSParameters = "fsrs_parameters"
	RecordDomain         = "domain"
	RecordMemory         = "memory"
	RecordScheduling     = "scheduling"
	RecordEdge           = "edge"
	RecordReviewEvent    = "review_event"
)

// recordKinds is the dump order, which is also the order Load writes in: every row comes
// after the rows it refers to.
var recordKinds = []string{RecordEmbeddingModel, RecordFSRSParameters, RecordDomain, RecordMemory,
	RecordScheduling, RecordEdge, RecordReviewEvent}

// RecordRank is the position of a kind in the dump order (-1 for an unknown kind).
func RecordRank(kind string) int { return slices.Index(recordKinds, kind) }

// RecordTable is the table a kind of record is a row of (both backends name them alike).
func RecordTable(kind string) string {
	switch kind {
	case RecordDomain:
		return "domains"
	case RecordMemory:
		return "memories"
	case RecordEdge:
		return "edges"
	case RecordReviewEvent:
		return "review_events"
	}
	return kind // embedding_model, fsrs_parameters, scheduling
}

// RegisteredModel is the registry row: the model whose vectors the store holds.
type RegisteredModel struct {
	Name      string    `json:"name"`
	Dimension int       `json:"dimension"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
}

// Signature is the part of the row that decides whether two stores' vectors may mix.
func (m RegisteredModel) Signature() ModelSignature {
	return ModelSignature{Name: m.Name, Dimension: m.Dimension, Hash: m.Hash}
}

// FSRSParameters is the one-row parameter table the scheduler reads (both backends), in the
// table's own units.
type FSRSParameters struct {
	Weights             []float64 `json:"weights"`
	DesiredRetention    float64   `json:"desired_retention"`
	LearningStepsSecs   []int     `json:"learning_steps_secs"`
	RelearningStepsSecs []int     `json:"relearning_steps_secs"`
	MaximumIntervalDays int       `json:"maximum_interval_days"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// SameValues compares every parameter but updated_at.
func (p FSRSParameters) SameValues(o FSRSParameters) bool {
	return slices.Equal(p.Weights, o.Weights) && p.DesiredRetention == o.DesiredRetention &&
		slices.Equal(p.LearningStepsSecs, o.LearningStepsSecs) &&
		slices.Equal(p.RelearningStepsSecs, o.RelearningStepsSecs) &&
		p.MaximumIntervalDays == o.MaximumIntervalDays
}

// IsDefault reports whether p holds the defaults a new store starts with: a store whose
// parameters were never tuned takes an import's without a conflict.
func (p FSRSParameters) IsDefault() bool {
	d := fsrs.DefaultParameters()
	secs := func(ds []time.Duration) []int {
		out := make([]int, len(ds))
		for i, v := range ds {
			out[i] = int(v / time.Second)
		}
		return out
	}
	return p.SameValues(FSRSParameters{Weights: d.Weights[:], DesiredRetention: d.DesiredRetention,
		LearningStepsSecs: secs(d.LearningSteps), RelearningStepsSecs: secs(d.RelearningSteps),
		MaximumIntervalDays: d.MaximumInterval})
}

// ReviewEvent is one line of the review log: the scheduling state before and after a review.
type ReviewEvent struct {
	ID         uuid.UUID      `json:"id"`
	MemoryID   uuid.UUID      `json:"memory_id"`
	ReviewedAt time.Time      `json:"reviewed_at"`
	Rating     int            `json:"rating"`
	PriorState map[string]any `json:"prior_state"`
	NewState   map[string]any `json:"new_state"`
}

// Record is one row of a dump. Type names the kind and exactly the matching field is set. In
// JSON it is the row's own object with "type" added first, e.g. {"type":"edge","source_id":…},
// so that a dump reads (and greps, and jq's) as plain rows.
type Record struct {
	Type           string
	Model          *RegisteredModel
	FSRSParameters *FSRSParameters
	Domain         *Domain
	Memory         *Memory
	Scheduling     *SchedulingState
	Edge           *Edge
	ReviewEvent    *ReviewEvent
}

// payload is the row of the record's kind; nil when the field for Type is unset.
func (r Record) payload() (any, bool) {
	switch r.Type {
	case RecordEmbeddingModel:
		return r.Model, r.Model != nil
	case RecordFSRSParameters:
		return r.FSRSParameters, r.FSRSParameters != nil
	case RecordDomain:
		return r.Domain, r.Domain != nil
	case RecordMemory:
		return r.Memory, r.Memory != nil
	case RecordScheduling:
		return r.Scheduling, r.Scheduling != nil
	case RecordEdge:
		return r.Edge, r.Edge != nil
	case RecordReviewEvent:
		return r.ReviewEvent, r.ReviewEvent != nil
	}
	return nil, false
}

// MarshalJSON writes the flat form. (Whether <, > and & are escaped is the caller's
// encoder's choice: encoding/json re-escapes a Marshaler's output unless told not to.)
func (r Record) MarshalJSON() ([]byte, error) {
	p, ok := r.payload()
	if !ok {
		return nil, fmt.Errorf("record of type %q carries no %s row", r.Type, r.Type)
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	obj := bytes.TrimSpace(body.Bytes())
	out := make([]byte, 0, len(obj)+len(r.Type)+12)
	out = append(out, `{"type":`...)
	out = append(out, '"')
	out = append(out, r.Type...) // a known kind: no character to escape
	out = append(out, '"')
	if len(obj) > 2 {
		out = append(out, ',')
	}
	return append(out, obj[1:]...), nil
}

// UnmarshalJSON reads the flat form strictly: an unknown kind or a field the kind does not
// have is an error, since silently dropping part of someone's data is worse than stopping.
func (r *Record) UnmarshalJSON(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return err
	}
	*r = Record{Type: head.Type}
	var err error
	switch head.Type {
	case RecordEmbeddingModel:
		r.Model = new(RegisteredModel)
		err = strict(data, &struct {
			Type string `json:"type"`
			*RegisteredModel
		}{RegisteredModel: r.Model})
	case RecordFSRSParameters:
		r.FSRSParameters = new(FSRSParameters)
		err = strict(data, &struct {
			Type string `json:"type"`
			*FSRSParameters
		}{FSRSParameters: r.FSRSParameters})
	case RecordDomain:
		r.Domain = new(Domain)
		err = strict(data, &struct {
			Type string `json:"type"`
			*Domain
		}{Domain: r.Domain})
	case RecordMemory:
		r.Memory = new(Memory)
		err = strict(data, &struct {
			Type string `json:"type"`
			*Memory
		}{Memory: r.Memory})
	case RecordScheduling:
		r.Scheduling = new(SchedulingState)
		err = strict(data, &struct {
			Type string `json:"type"`
			*SchedulingState
		}{SchedulingState: r.Scheduling})
	case RecordEdge:
		r.Edge = new(Edge)
		err = strict(data, &struct {
			Type string `json:"type"`
			*Edge
		}{Edge: r.Edge})
	case RecordReviewEvent:
		r.ReviewEvent = new(ReviewEvent)
		err = strict(data, &struct {
			Type string `json:"type"`
			*ReviewEvent
		}{ReviewEvent: r.ReviewEvent})
	case "":
		return fmt.Errorf("record has no \"type\"")
	default:
		return fmt.Errorf("unknown record type %q (known: %v)", head.Type, recordKinds)
	}
	if err != nil {
		return fmt.Errorf("%s record: %w", head.Type, err)
	}
	return nil
}

// strict decodes one record: unknown fields refused, numbers kept exactly (json.Number), and
// a lone surrogate escape refused rather than turned into U+FFFD.
func strict(data []byte, v any) error {
	if err := CheckJSONText("record", data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(v)
}

// Key names the row for messages: its kind and primary key.
func (r Record) Key() string {
	switch {
	case r.Model != nil:
		return "embedding_model " + r.Model.Name
	case r.FSRSParameters != nil:
		return "fsrs_parameters"
	case r.Domain != nil:
		return fmt.Sprintf("domain %q", r.Domain.ID)
	case r.Memory != nil:
		return "memory " + r.Memory.ID.String()
	case r.Scheduling != nil:
		return "scheduling " + r.Scheduling.MemoryID.String()
	case r.Edge != nil:
		return fmt.Sprintf("edge %s -> %s (%s)", r.Edge.SourceID, r.Edge.TargetID, r.Edge.EdgeType)
	case r.ReviewEvent != nil:
		return "review_event " + r.ReviewEvent.ID.String()
	}
	return r.Type + " record"
}

// Normalized returns r checked and in stored form (times in UTC microseconds, nil slices and
// maps empty), or an *InvalidInputError naming the row: both backends load exactly what
// this accepts, so that a dump moves between them intact.
func (r Record) Normalized() (Record, error) {
	if _, ok := r.payload(); !ok {
		return r, &InvalidInputError{Field: r.Type, Reason: "record carries no row of its type"}
	}
	if err := r.normalize(); err != nil {
		return r, fmt.Errorf("%s: %w", r.Key(), err)
	}
	return r, nil
}

func (r *Record) normalize() error {
	switch r.Type {
	case RecordEmbeddingModel:
		m := *r.Model
		switch {
		case m.Name == "" || m.Hash == "":
			return &InvalidInputError{Field: "embedding_model", Reason: "name and hash are required"}
		case m.Dimension < 1 || m.Dimension > MaxDimension:
			return &InvalidInputError{Field: "dimension", Reason: fmt.Sprintf("%d is outside [1, %d]", m.Dimension, MaxDimension)}
		}
		if err := needTime("created_at", &m.CreatedAt); err != nil {
			return err
		}
		r.Model = &m
		return firstError(checkLabel("name", m.Name), checkLabel("hash", m.Hash), CheckTime("created_at", m.CreatedAt))
	case RecordFSRSParameters:
		return r.normalizeFSRS()
	case RecordDomain:
		d := *r.Domain
		if d.TopTerms == nil {
			d.TopTerms = []string{}
		}
		if d.Metadata == nil {
			d.Metadata = map[string]any{}
		}
		if len(d.Centroid) == 0 {
			d.Centroid = nil
		}
		if err := needTime("created_at", &d.CreatedAt); err != nil {
			return err
		}
		r.Domain = &d
		return ValidateDomain(d)
	case RecordMemory:
		return r.normalizeMemory()
	case RecordScheduling:
		s := *r.Scheduling
		if s.MemoryID == uuid.Nil {
			return &InvalidInputError{Field: "memory_id", Reason: "is missing"}
		}
		s.LastReview, s.NextReview = truncPtr(s.LastReview), truncPtr(s.NextReview)
		s.Stability, s.Difficulty, s.Retrievability = PositiveZero(s.Stability), PositiveZero(s.Difficulty), PositiveZero(s.Retrievability)
		r.Scheduling = &s
		return ValidateScheduling(s)
	case RecordEdge:
		e := *r.Edge
		if e.EdgeType == "" {
			return &InvalidInputError{Field: "edge_type", Reason: "is empty"}
		}
		if err := needTime("created_at", &e.CreatedAt); err != nil {
			return err
		}
		r.Edge = &e
		return ValidateEdge(e)
	case RecordReviewEvent:
		ev := *r.ReviewEvent
		switch {
		case ev.ID == uuid.Nil || ev.MemoryID == uuid.Nil:
			return &InvalidInputError{Field: "review_event", Reason: "id and memory_id are required"}
		case ev.Rating < 1 || ev.Rating > 4:
			return &InvalidInputError{Field: "rating", Reason: fmt.Sprintf("%d is not 1 to 4", ev.Rating)}
		case ev.PriorState == nil || ev.NewState == nil:
			return &InvalidInputError{Field: "review_event", Reason: "prior_state and new_state are required objects"}
		}
		if err := needTime("reviewed_at", &ev.ReviewedAt); err != nil {
			return err
		}
		r.ReviewEvent = &ev
		return firstError(CheckJSONObject("prior_state", ev.PriorState), CheckJSONObject("new_state", ev.NewState))
	}
	return nil
}

func (r *Record) normalizeMemory() error {
	m := *r.Memory
	if m.ID == uuid.Nil {
		return &InvalidInputError{Field: "id", Reason: "is missing or the nil UUID (00000000-0000-0000-0000-000000000000)"}
	}
	m = FillDefaults(m)
	if err := needTime("created_at", &m.CreatedAt); err != nil {
		return err
	}
	if err := needTime("updated_at", &m.UpdatedAt); err != nil {
		return err
	}
	r.Memory = &m
	return ValidateMemory(m)
}

func (r *Record) normalizeFSRS() error {
	p := *r.FSRSParameters
	if len(p.Weights) != 21 {
		return &InvalidInputError{Field: "weights", Reason: fmt.Sprintf("has %d values, want 21", len(p.Weights))}
	}
	p.Weights = slices.Clone(p.Weights)
	for i, w := range p.Weights {
		p.Weights[i] = PositiveZero(w)
		if math.IsNaN(w) || math.IsInf(w, 0) {
			return &InvalidInputError{Field: fmt.Sprintf("weights[%d]", i), Reason: "is not a finite number"}
		}
	}
	if !(p.DesiredRetention > 0 && p.DesiredRetention < 1) {
		return &InvalidInputError{Field: "desired_retention", Reason: "must be in (0, 1)"}
	}
	for _, steps := range [][]int{p.LearningStepsSecs, p.RelearningStepsSecs} {
		for _, s := range steps {
			if s <= 0 {
				return &InvalidInputError{Field: "learning_steps_secs", Reason: "steps must be > 0"}
			}
		}
	}
	if p.LearningStepsSecs == nil {
		p.LearningStepsSecs = []int{}
	}
	if p.RelearningStepsSecs == nil {
		p.RelearningStepsSecs = []int{}
	}
	if p.MaximumIntervalDays < 1 || p.MaximumIntervalDays > MaxIntervalDays {
		return &InvalidInputError{Field: "maximum_interval_days", Reason: fmt.Sprintf("%d is outside [1, %d]", p.MaximumIntervalDays, MaxIntervalDays)}
	}
	if err := needTime("updated_at", &p.UpdatedAt); err != nil {
		return err
	}
	r.FSRSParameters = &p
	return nil
}

// needTime refuses a missing time (an import keeps times; it never invents them) and brings
// a present one to the stored precision.
func needTime(field string, t *time.Time) error {
	if t.IsZero() {
		return &InvalidInputError{Field: field, Reason: "is missing"}
	}
	*t = Truncate(*t)
	return CheckTime(field, *t)
}

func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := Truncate(*t)
	return &v
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// SortRecords puts recs in the order Load writes them (dump order by kind; the order within
// a kind is kept), so that a row never precedes one it refers to.
func SortRecords(recs []Record) {
	slices.SortStableFunc(recs, func(a, b Record) int { return RecordRank(a.Type) - RecordRank(b.Type) })
}

// DuplicateRecordError: one batch or import names the same row twice. First and Second are
// the records' positions (0-based in a batch; an importer reports its own line numbers).
type DuplicateRecordError struct {
	Key           string
	First, Second int
}

func (e *DuplicateRecordError) Error() string {
	return fmt.Sprintf("duplicate record: %s is given twice (records %d and %d); a dump holds each row once", e.Key, e.First, e.Second)
}

func (e *DuplicateRecordError) Unwrap() error { return ErrInvalidInput }

// NormalizeRecords checks every record (Normalized), refuses a row given twice
// (*DuplicateRecordError) and returns them in the order Load writes them: what both
// backends' Load start with.
func NormalizeRecords(recs []Record) ([]Record, error) {
	norm := make([]Record, 0, len(recs))
	seen := make(map[string]int, len(recs))
	for i, r := range recs {
		n, err := r.Normalized()
		if err != nil {
			return nil, err
		}
		k := n.Key()
		if first, ok := seen[k]; ok {
			return nil, &DuplicateRecordError{Key: k, First: first, Second: i}
		}
		seen[k] = i
		norm = append(norm, n)
	}
	SortRecords(norm)
	return norm, nil
}
