package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// interpretError is the one place SQLite failures become the store's sentinel errors, as
// pgstore maps SQLSTATEs: the triggers of sql/sqlite raise messages that start with the
// SQLSTATE Postgres uses for the same case.

func interpretError(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	for _, known := range []error{store.ErrNotFound, store.ErrEmptyQuery, store.ErrDimension,
		store.ErrEmbeddingMismatch, store.ErrNoModel, store.ErrInvalidInput, store.ErrReviewBeforeLast,
		store.ErrConflict, store.ErrSchemaBehind, ErrSchemaAhead, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, known) {
			return err
		}
	}
	code := sqlite.ErrCode(err)
	if code == sqlite.ResultInterrupt && ctx.Err() != nil {
		return fmt.Errorf("sqlitestore: %w", ctx.Err())
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "VS004"):
		return fmt.Errorf("%w: %s", store.ErrNoModel, msg)
	case strings.Contains(msg, "VS002"):
		return fmt.Errorf("%w: %s", store.ErrDimension, msg)
	case strings.Contains(msg, "VS006"):
		// The schema's value rules (sql/sqlite/002) say "VS006: invalid <field>: <reason>".
		if bad, ok := store.ParseRuleMessage(msg[strings.Index(msg, "VS006"):]); ok {
			return bad
		}
		return &store.InvalidInputError{Reason: msg}
	}
	switch code {
	case sqlite.ResultConstraintPrimaryKey, sqlite.ResultConstraintUnique:
		return fmt.Errorf("%w: %s", store.ErrConflict, msg)
	case sqlite.ResultConstraintForeignKey:
		return fmt.Errorf("%w: a referenced memory does not exist (%s)", store.ErrNotFound, msg)
	case sqlite.ResultConstraintCheck, sqlite.ResultConstraintNotNull, sqlite.ResultTooBig:
		return &store.InvalidInputError{Reason: msg}
	}
	return fmt.Errorf("sqlitestore: %w", err)
}
