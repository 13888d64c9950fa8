package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Reembedder is a backend's side of a re-embed (`vestige migrate reembed`, driven by
// client/transfer): new vectors are written beside the current ones, searches keep using
// the current model, and one short transaction (ReembedSwitch) makes the new vectors, their
// index and the registry current together. Every step is persisted in the database, so a
// re-embed killed at any point continues where it stopped when started again.
type Reembedder interface {
	// ReembedStart begins a re-embed to target, or finds the unfinished one to the same
	// target and reports resumed. An unfinished re-embed to another model is refused with
	// *ReembedInProgressError.
	ReembedStart(ctx context.Context, target ModelSignature) (ReembedProgress, error)
	// ReembedState is the unfinished re-embed, or nil when none is.
	ReembedState(ctx context.Context) (*ReembedProgress, error)
	// ReembedPending returns up to limit memories, ordered by id and after the given id,
	// that have no new vector yet.
	ReembedPending(ctx context.Context, after uuid.UUID, limit int) ([]TextRow, error)
	// ReembedWrite stores new vectors (vecs[i] for ids[i]; nil: the text has nothing to
	// embed) in one transaction, leaving every other column as it is.
	ReembedWrite(ctx context.Context, ids []uuid.UUID, vecs [][]float32) error
	// ReembedIndex builds the search index of the new vectors (Postgres: HNSW, CREATE INDEX
	// CONCURRENTLY, writers not blocked) and reports whether it built one.
	ReembedIndex(ctx context.Context) (bool, error)
	// ReembedSwitch is the one transaction that embeds what changed since the re-embed
	// began (with embed) and makes the new vectors, index and registry current. It returns
	// how many memories it embedded itself.
	ReembedSwitch(ctx context.Context, embed EmbedFunc) (int, error)
	// ReembedAbort forgets an unfinished re-embed: the store is as it was before it began
	// (Postgres rebuilds the current model's index if the re-embed dropped it).
	ReembedAbort(ctx context.Context) error
}

// EmbedFunc embeds texts in one call: result i for texts[i], nil when a text has nothing to
// embed.
type EmbedFunc func(ctx context.Context, texts []string) ([][]float32, error)

// TextRow is a memory's id and the text its vector is made from.
type TextRow struct {
	ID      uuid.UUID
	Content string
}

// switchBatch is how many texts a re-embed's switch embeds per call.
const switchBatch = 256

// EmbedRows embeds rows with embed, switchBatch texts a call, hands each batch to write, and
// returns how many rows it embedded: what a store's ReembedSwitch does with the memories
// written since the re-embed began.
func EmbedRows(ctx context.Context, rows []TextRow, embed EmbedFunc, write func(ids []uuid.UUID, vecs [][]float32) error) (int, error) {
	n := 0
	for start := 0; start < len(rows); start += switchBatch {
		part := rows[start:min(start+switchBatch, len(rows))]
		ids, texts := make([]uuid.UUID, len(part)), make([]string, len(part))
		for i, r := range part {
			ids[i], texts[i] = r.ID, r.Content
		}
		vecs, err := embed(ctx, texts)
		if err != nil {
			return n, err
		}
		if err := write(ids, vecs); err != nil {
			return n, err
		}
		n += len(part)
	}
	return n, nil
}

// ReembedProgress describes a re-embed: its target, when it began, and how many memories
// the store holds and how many already have a new vector.
type ReembedProgress struct {
	Target    ModelSignature `json:"target"`
	StartedAt time.Time      `json:"started_at"`
	Resumed   bool           `json:"resumed"`
	Total     int            `json:"total"`
	Done      int            `json:"done"`
}

// ReembedInProgressError refuses a re-embed while another one, to another model, is
// unfinished: vectors of two targets must never mix.
type ReembedInProgressError struct {
	Unfinished ModelSignature
	Requested  ModelSignature
}

func (e *ReembedInProgressError) Error() string {
	return fmt.Sprintf("a re-embed to %s (%d dimensions, hash %s) is unfinished: finish it (vestige migrate reembed --model %s) or abandon it (vestige migrate reembed --abort) before re-embedding to %s (%d dimensions, hash %s)",
		e.Unfinished.Name, e.Unfinished.Dimension, e.Unfinished.Hash, e.Unfinished.Name,
		e.Requested.Name, e.Requested.Dimension, e.Requested.Hash)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ReembedInProgressError) Is(target error) bool { return target == ErrConflict }
