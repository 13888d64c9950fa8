package pgstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vestige-mem/vestige/client/store"
)

// dbError is a Postgres error translated to the store's vocabulary. Both stay reachable:
// callers match the store error with errors.Is / errors.As, and the *pgconn.PgError
// (detail, hint, position) is there for whoever needs more.
type dbError struct {
	kind error // a store sentinel or one of its typed errors
	err  error // the error pgx returned, which holds the *pgconn.PgError
	pg   *pgconn.PgError
}

func (e *dbError) Error() string {
	msg := e.pg.Message
	switch e.pg.Code {
	case "23505": // "duplicate key value violates unique constraint ...": say which row
		msg = fmt.Sprintf("%s %s already exists", rowNoun(e.pg.TableName), keyOf(e.pg.Detail))
	case "23503": // "insert or update ... violates foreign key constraint ...": say which key
		if k := keyOf(e.pg.Detail); k != "" {
			msg = fmt.Sprintf("not found: no memory with %s", k)
		}
	}
	var typed interface{ Unwrap() error }
	if errors.As(e.kind, &typed) {
		// The typed errors (*DimensionError, ...) say it in the store's own terms.
		msg = e.kind.Error()
	}
	return msg + " (SQLSTATE " + e.pg.Code + ")"
}

func (e *dbError) Unwrap() []error { return []error{e.kind, e.err} }

// interpretError maps the SQLSTATEs of the SQL API (VS001…VS007, docs/sql-api.md) and the
// integrity and data errors of plain statements to the store's errors. Anything else (a
// lost connection, a cancelled context) is returned as it is.
func interpretError(err error) error {
	var pg *pgconn.PgError
	if err == nil || !errors.As(err, &pg) {
		return err
	}
	var kind error
	switch code := pg.Code; {
	case code == "VS001":
		kind = store.ErrEmptyQuery
	case code == "VS002":
		kind = dimensionError(pg)
	case code == "VS003":
		kind = mismatchError(pg)
	case code == "VS004":
		kind = store.ErrNoModel
	case code == "VS005":
		kind = store.ErrNotFound
	case code == "VS006":
		kind = invalidInput(pg)
	case code == "VS007":
		kind = store.ErrReviewBeforeLast
	case code == "23505": // unique_violation: an insert of an id that exists
		kind = store.ErrConflict
	case code == "23503": // foreign_key_violation: a reference to a memory that does not exist
		kind = store.ErrNotFound
	case code == "22000" && pgvectorDims.MatchString(pg.Message):
		kind = dimensionError(pg)
	case code == "23514", code == "23502", strings.HasPrefix(code, "22"), code == "54000":
		// check and not-null violations, data exceptions (bad text representation, bad
		// encoding, out of range), and values too large to index or search.
		kind = invalidInput(pg)
	default:
		return err
	}
	return &dbError{kind: kind, err: err, pg: pg}
}

// detailKey reads "Key (id)=(0190...) already exists." or "Key (source_id)=(...) is not
// present in table ...", the DETAIL of unique and foreign-key violations.
var detailKey = regexp.MustCompile(`^Key \((.+?)\)=\((.+?)\)`)

func keyOf(detail string) string {
	m := detailKey.FindStringSubmatch(detail)
	if m == nil {
		return ""
	}
	return m[1] + " " + m[2]
}

// rowNoun names one row of a table in words.
func rowNoun(table string) string {
	switch table {
	case "memories":
		return "memory"
	case "edges":
		return "edge"
	case "domains":
		return "domain"
	case "review_events":
		return "review event"
	case "":
		return "row"
	}
	return table + " row"
}

var (
	// "embedding has 3 dimensions but the registered model hash-64 has 64" (VS002, from
	// the SQL API and the memories trigger).
	apiDims = regexp.MustCompile(`has (\d+) dimensions but the registered model .* has (\d+)$`)
	// "expected 64 dimensions, not 3" (pgvector itself, once the column is vector(N)).
	pgvectorDims = regexp.MustCompile(`expected (\d+) dimensions, not (\d+)`)
)

func dimensionError(pg *pgconn.PgError) error {
	if m := apiDims.FindStringSubmatch(pg.Message); m != nil {
		got, _ := strconv.Atoi(m[1])
		want, _ := strconv.Atoi(m[2])
		return &store.DimensionError{Got: got, Want: want}
	}
	if m := pgvectorDims.FindStringSubmatch(pg.Message); m != nil {
		want, _ := strconv.Atoi(m[1])
		got, _ := strconv.Atoi(m[2])
		return &store.DimensionError{Got: got, Want: want}
	}
	return store.ErrDimension
}

// mismatchError reads both signatures from the DETAIL, which vestige_ensure_embedding_model
// fills with JSON for exactly this purpose.
func mismatchError(pg *pgconn.PgError) error {
	var d struct {
		Registered, Requested store.ModelSignature
	}
	if err := json.Unmarshal([]byte(pg.Detail), &d); err != nil || d.Registered.Name == "" {
		return store.ErrEmbeddingMismatch
	}
	return &store.EmbeddingMismatchError{Registered: d.Registered, Requested: d.Requested}
}

// apiFields are the argument names that VS006 messages of the SQL API start with.
var apiFields = []string{"match_count", "min_retrievability", "depth", "model name", "model hash",
	"model dimension", "query embedding", "embedding", "reviewed_at", "at"}

var valueRule = regexp.MustCompile(`^invalid ([^:]+): (.*)$`)

func invalidInput(pg *pgconn.PgError) error {
	field := ""
	reason := pg.Message
	switch {
	case pg.ConstraintName != "":
		// Postgres names a column's check <table>_<column>_check.
		field = strings.TrimSuffix(strings.TrimPrefix(pg.ConstraintName, pg.TableName+"_"), "_check")
	case pg.ColumnName != "":
		field = pg.ColumnName
	case valueRule.MatchString(pg.Message):
		// The schema's value rules (migration 002) say "invalid <field>: <reason>".
		m := valueRule.FindStringSubmatch(pg.Message)
		field, reason = m[1], m[2]
	default:
		for _, f := range apiFields {
			if rest, ok := strings.CutPrefix(pg.Message, f+" "); ok {
				field, reason = f, rest
				break
			}
		}
	}
	return &store.InvalidInputError{Field: field, Reason: reason}
}
