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
	case code == "23514", code == "23502", code == "54000", inputDataCodes[code],
		code == "22000" && pgvectorValue.MatchString(pg.Message):
		// check and not-null violations, the data exceptions a caller's value causes, and
		// values too large to index or search.
		kind = invalidInput(pg)
	case code == "40001", code == "40P01":
		kind = &store.RetryableError{Code: code, Reason: pg.Message}
	default:
		// Including the other data exceptions (division by zero, a bad regular expression,
		// an invalid parameter value...): they are faults of vestige's SQL or of the server's
		// settings, and calling them bad input would send the user looking in the wrong place.
		// And 40003 (statement_completion_unknown): whether it committed is unknown, so it
		// is not safe to retry.
		return err
	}
	return &dbError{kind: kind, err: err, pg: pg}
}

// inputDataCodes are the data exceptions (class 22) that only a caller's value causes: text
// that is not a uuid, a number or a time; a value out of its type's range; text the database
// cannot hold (invalid UTF-8, a NUL byte in jsonb); a negative limit.
var inputDataCodes = map[string]bool{
	"22001": true, // string_data_right_truncation
	"22003": true, // numeric_value_out_of_range
	"22007": true, // invalid_datetime_format
	"22008": true, // datetime_field_overflow
	"22009": true, // invalid_time_zone_displacement_value
	"22015": true, // interval_field_overflow
	"22021": true, // character_not_in_repertoire
	"2201W": true, // invalid_row_count_in_limit_clause
	"2201X": true, // invalid_row_count_in_result_offset_clause
	"22032": true, // invalid_json_text
	"22P02": true, // invalid_text_representation
	"22P05": true, // untranslatable_character
}

// pgvectorValue is pgvector's data exception (22000) for a vector value it refuses: NaN,
// infinity, no dimensions, or a text form it cannot read.
var pgvectorValue = regexp.MustCompile(`(?i)(NaN|infinite value) not allowed in (half)?vec|vector must have at least|malformed (half)?vec|expected (\d+) dimensions`)

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
	"model dimension", "query embedding", "embedding", "reviewed_at", "at", "fts_weight", "vector_weight", "min_vector_score"}

func invalidInput(pg *pgconn.PgError) error {
	if pg.ConstraintName == "" && pg.ColumnName == "" {
		// The schema's value rules (migration 002) say "invalid <field>: <reason>".
		if bad, ok := store.ParseRuleMessage(pg.Message); ok {
			return bad
		}
	}
	field := ""
	reason := pg.Message
	switch {
	case pg.ConstraintName != "":
		// Postgres names a column's check <table>_<column>_check.
		field = strings.TrimSuffix(strings.TrimPrefix(pg.ConstraintName, pg.TableName+"_"), "_check")
	case pg.ColumnName != "":
		field = pg.ColumnName
	case pg.Code == "2201W" || pg.Code == "2201X":
		field = "limit"
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
