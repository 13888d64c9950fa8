package pgstore_test

import (
	"context"
	"errors"
	"io/fs"
	"regexp"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/store"
	"github.com/vestige-mem/vestige/client/store/pgstore"
	sqlfs "github.com/vestige-mem/vestige/sql"
)

// TestInterpretErrorThroughSQL raises every SQLSTATE the store maps with a real SQL call and
// checks the sentinel it becomes, and that the Postgres error is still reachable.
func TestInterpretErrorThroughSQL(t *testing.T) {
	ctx := context.Background()
	pool := open(t, pgstore.Options{}).Pool()

	exec := func(sql string, args ...any) error {
		_, err := pool.Exec(ctx, sql, args...)
		return err
	}
	query := func(sql string, args ...any) error {
		rows, err := pool.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	}
	var known uuid.UUID
	require.NoError(t, pool.QueryRow(ctx, `INSERT INTO memories (content) VALUES ('known') RETURNING id`).Scan(&known))

	// Before any model is registered.
	noModel := exec(`INSERT INTO memories (content, embedding) VALUES ('x', '[1,0,0,0]')`)
	require.NoError(t, exec(`SELECT vestige_ensure_embedding_model('m4', 4, 'h4')`))

	// VS007 comes from vestige_review (the FSRS issue); until that is installed, raise it
	// directly.
	reviewBeforeLast := exec(`DO $$ BEGIN RAISE EXCEPTION 'review is before the last review' USING ERRCODE = 'VS007'; END $$`)
	var hasReview bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT to_regprocedure('vestige_review(uuid,integer,timestamptz)') IS NOT NULL`).Scan(&hasReview))
	if hasReview {
		require.NoError(t, exec(`SELECT * FROM vestige_review($1, 3, '2024-06-02T00:00:00Z')`, known))
		reviewBeforeLast = exec(`SELECT * FROM vestige_review($1, 3, '2024-06-01T00:00:00Z')`, known)
	}

	cases := []struct {
		code  string
		err   error
		check func(t *testing.T, err error)
	}{
		{"VS001", query(`SELECT * FROM vestige_search(NULL, NULL)`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrEmptyQuery)
		}},
		{"VS001", query(`SELECT * FROM vestige_fts_search('')`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrEmptyQuery)
		}},
		{"VS002", query(`SELECT * FROM vestige_vector_search('[1,2,3]'::vector)`), func(t *testing.T, err error) {
			var de *store.DimensionError
			require.ErrorAs(t, err, &de)
			require.Equal(t, store.DimensionError{Got: 3, Want: 4}, *de)
			require.ErrorIs(t, err, store.ErrDimension)
		}},
		{"VS002", query(`SELECT * FROM vestige_classify('[1,2,3,4,5]'::vector)`), func(t *testing.T, err error) {
			var de *store.DimensionError
			require.ErrorAs(t, err, &de)
			require.Equal(t, store.DimensionError{Got: 5, Want: 4}, *de)
		}},
		// Once the column is vector(4), pgvector's own check fires before the trigger.
		{"22000", exec(`INSERT INTO memories (content, embedding) VALUES ('x', '[1,2,3]')`), func(t *testing.T, err error) {
			var de *store.DimensionError
			require.ErrorAs(t, err, &de)
			require.Equal(t, store.DimensionError{Got: 3, Want: 4}, *de)
		}},
		{"VS003", query(`SELECT vestige_ensure_embedding_model('other model', 8, 'h8')`), func(t *testing.T, err error) {
			var me *store.EmbeddingMismatchError
			require.ErrorAs(t, err, &me)
			require.Equal(t, store.ModelSignature{Name: "m4", Dimension: 4, Hash: "h4"}, me.Registered)
			require.Equal(t, store.ModelSignature{Name: "other model", Dimension: 8, Hash: "h8"}, me.Requested)
			require.ErrorIs(t, err, store.ErrEmbeddingMismatch)
		}},
		{"VS004", noModel, func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrNoModel)
		}},
		{"VS005", query(`SELECT vestige_retrievability(gen_random_uuid())`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrNotFound)
		}},
		{"VS005", query(`SELECT * FROM vestige_neighbors(gen_random_uuid(), 1)`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrNotFound)
		}},
		{"VS006", query(`SELECT * FROM vestige_search('x', NULL, 0)`), func(t *testing.T, err error) {
			requireField(t, err, "match_count")
		}},
		{"VS006", query(`SELECT * FROM vestige_neighbors($1, 11)`, known), func(t *testing.T, err error) {
			requireField(t, err, "depth")
		}},
		{"VS006", query(`SELECT * FROM vestige_vector_search('[0,0,0,0]'::vector)`), func(t *testing.T, err error) {
			requireField(t, err, "query embedding")
		}},
		{"VS007", reviewBeforeLast, func(t *testing.T, err error) { require.ErrorIs(t, err, store.ErrReviewBeforeLast) }},
		{"23505", exec(`INSERT INTO memories (id, content) VALUES ($1, 'again')`, known), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrConflict)
			require.Contains(t, err.Error(), "memory id "+known.String()+" already exists")
		}},
		{"23503", exec(`INSERT INTO edges (source_id, target_id) VALUES ($1, '00000000-0000-4000-8000-00000000dead')`, known), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrNotFound)
			require.Contains(t, err.Error(), "no memory with target_id 00000000-0000-4000-8000-00000000dead")
		}},
		{"23514", exec(`INSERT INTO scheduling (memory_id, stability, difficulty, last_review, state) VALUES ($1, 1, 11, now(), 2)`, known), func(t *testing.T, err error) {
			requireField(t, err, "difficulty")
		}},
		{"VS006", exec(`UPDATE memories SET metadata = '[]' WHERE id = $1`, known), func(t *testing.T, err error) {
			requireField(t, err, "metadata")
			require.Contains(t, err.Error(), "must be a JSON object, not array")
		}},
		{"VS006", exec(`INSERT INTO edges (source_id, target_id) VALUES ($1, $1)`, known), func(t *testing.T, err error) {
			requireField(t, err, "edge")
		}},
		{"23502", exec(`INSERT INTO memories (content) VALUES (NULL)`), func(t *testing.T, err error) {
			requireField(t, err, "content")
		}},
		{"22P02", query(`SELECT 'not-a-uuid'::uuid`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrInvalidInput)
		}},
		{"22021", query(`SELECT convert_from('\xff'::bytea, 'UTF8')`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrInvalidInput)
		}},
		{"2201W", query(`SELECT * FROM vestige_due(now(), -1)`), func(t *testing.T, err error) {
			require.ErrorIs(t, err, store.ErrInvalidInput)
		}},
	}
	for _, c := range cases {
		t.Run(c.code, func(t *testing.T) {
			require.Error(t, c.err)
			err := pgstore.InterpretError(c.err)
			var pg *pgconn.PgError
			require.ErrorAs(t, err, &pg, "the Postgres error stays reachable")
			require.Equal(t, c.code, pg.Code)
			require.Contains(t, err.Error(), "SQLSTATE "+c.code)
			c.check(t, err)
		})
	}

	// What the store has no word for passes through unchanged.
	other := query(`SELECT * FROM no_such_table`)
	require.Same(t, other, pgstore.InterpretError(other))
	require.NoError(t, pgstore.InterpretError(nil))
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	var iie *store.InvalidInputError
	require.ErrorAs(t, err, &iie)
	require.Equal(t, field, iie.Field)
	require.ErrorIs(t, err, store.ErrInvalidInput)
}

// TestEverySQLStateIsMapped reads every SQLSTATE the SQL files raise, so that a new one
// cannot ship without its sentinel, and each maps to a different one.
func TestEverySQLStateIsMapped(t *testing.T) {
	re := regexp.MustCompile(`ERRCODE\s*=\s*'(VS\d{3})'`)
	codes := map[string]bool{"VS007": true} // vestige_review's, in case it is not installed yet
	require.NoError(t, fs.WalkDir(sqlfs.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sqlfs.FS(), p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			codes[m[1]] = true
		}
		return nil
	}))
	require.GreaterOrEqual(t, len(codes), 7)
	sentinels := []error{store.ErrEmptyQuery, store.ErrDimension, store.ErrEmbeddingMismatch, store.ErrNoModel,
		store.ErrNotFound, store.ErrInvalidInput, store.ErrReviewBeforeLast}
	seen := map[error]string{}
	for code := range codes {
		err := pgstore.InterpretError(&pgconn.PgError{Code: code, Message: "m"})
		var match error
		for _, s := range sentinels {
			if errors.Is(err, s) {
				require.Nil(t, match, "%s matches one sentinel only", code)
				match = s
			}
		}
		require.NotNil(t, match, "%s maps to a sentinel", code)
		require.NotContains(t, seen, match, "%s and %s map to the same sentinel", code, seen[match])
		seen[match] = code
	}
}
