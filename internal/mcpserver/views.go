package mcpserver

import (
	"time"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/vestige-mem/vestige/client/store"
)

// memoryView is a memory as a tool returns it. By default only what a model needs to use it
// (id, content, type, tags, domains); with full, also its metadata, domain scores, times and
// embedding dimension. The embedding itself is never sent: hundreds of numbers a model
// cannot use.
type memoryView struct {
	ID                 string             `json:"id" jsonschema:"the memory's id (a UUID)"`
	Content            string             `json:"content" jsonschema:"the memory's text"`
	Type               string             `json:"type" jsonschema:"the memory's node type"`
	Tags               []string           `json:"tags,omitempty" jsonschema:"the memory's tags"`
	Domains            []string           `json:"domains,omitempty" jsonschema:"the domains the memory belongs to"`
	Metadata           map[string]any     `json:"metadata,omitempty" jsonschema:"the memory's metadata (full only)"`
	DomainScores       map[string]float64 `json:"domain_scores,omitempty" jsonschema:"similarity to each domain (full only)"`
	CreatedAt          *time.Time         `json:"created_at,omitempty" jsonschema:"when it was written (full only)"`
	UpdatedAt          *time.Time         `json:"updated_at,omitempty" jsonschema:"when it last changed (full only)"`
	EmbeddingDimension *int               `json:"embedding_dimension,omitempty" jsonschema:"length of its embedding, 0 when it has none (full only)"`
}

func viewMemory(m store.Memory, full bool) memoryView {
	v := memoryView{ID: m.ID.String(), Content: m.Content, Type: m.NodeType, Tags: m.Tags, Domains: m.Domains}
	if full {
		created, updated, dim := m.CreatedAt, m.UpdatedAt, len(m.Embedding)
		v.Metadata, v.DomainScores = m.Metadata, m.DomainScores
		v.CreatedAt, v.UpdatedAt, v.EmbeddingDimension = &created, &updated, &dim
		if v.Metadata == nil {
			v.Metadata = map[string]any{}
		}
	}
	return v
}

// schedulingView is a memory's FSRS-6 state.
type schedulingView struct {
	State      string     `json:"state" jsonschema:"new (never reviewed), learning, review or relearning"`
	NextReview *time.Time `json:"next_review,omitempty" jsonschema:"when the next review is due"`
	LastReview *time.Time `json:"last_review,omitempty" jsonschema:"when it was last reviewed"`
	Stability  float64    `json:"stability_days,omitempty" jsonschema:"days until retrievability falls to 90%"`
	Difficulty float64    `json:"difficulty,omitempty" jsonschema:"1 (easy) to 10 (hard)"`
	Reviews    int        `json:"reviews,omitempty" jsonschema:"how many times it was reviewed"`
	Lapses     int        `json:"lapses,omitempty" jsonschema:"how many times it was forgotten (rated again in review)"`
}

func viewScheduling(s *store.SchedulingState) schedulingView {
	if s == nil {
		return schedulingView{State: "new"}
	}
	return schedulingView{State: stateName(s.State), NextReview: s.NextReview, LastReview: s.LastReview,
		Stability: s.Stability, Difficulty: s.Difficulty, Reviews: s.Reps, Lapses: s.Lapses}
}

// stateName names an FSRS state as the reference scheduler does.
func stateName(state int) string {
	switch state {
	case 1:
		return "learning"
	case 2:
		return "review"
	case 3:
		return "relearning"
	}
	return "unknown"
}

// inputSchema is In's schema as the SDK infers it (a field without omitempty is required,
// no other property is allowed), then adjusted by fix: enums, ranges and defaults the Go
// type cannot say.
func inputSchema[In any](fix func(props map[string]*jsonschema.Schema)) *jsonschema.Schema {
	s, err := jsonschema.For[In](nil)
	if err != nil {
		panic("mcpserver: input schema: " + err.Error()) // a programming error, caught by every test
	}
	if fix != nil {
		fix(s.Properties)
	}
	return s
}

func ptr[T any](v T) *T { return &v }
