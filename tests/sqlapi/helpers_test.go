// Package sqlapi_test uses the SQL API as a psql user would: plain SQL text through pgx, named
// arguments, no store code. Query vectors come from the Go embedder, bound as text literals
// cast to vector, exactly as a psql user or a Python program would send them.
package sqlapi_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/tests/testdb"
)

// db is one fresh migrated database and a connection to it.
type db struct {
	t    *testing.T
	conn *pgx.Conn
	emb  embedder.Embedder
}

func newDB(t *testing.T) *db {
	t.Helper()
	emb, err := embedder.FromName(context.Background(), "hash-384", embedder.Options{})
	require.NoError(t, err)
	return &db{t: t, conn: testdb.Conn(t, testdb.New(t)), emb: emb}
}

// registerModel registers the test embedder's model, as every writer does first.
func (d *db) registerModel() {
	d.t.Helper()
	d.exec(`SELECT vestige_ensure_embedding_model(model_name => $1, model_dimension => $2, model_hash => $3)`,
		d.emb.ModelName(), d.emb.Dimension(), d.emb.ModelHash())
}

func (d *db) exec(sql string, args ...any) {
	d.t.Helper()
	_, err := d.conn.Exec(context.Background(), sql, args...)
	require.NoError(d.t, err, sql)
}

// vec returns the embedding of text as a pgvector text literal.
func (d *db) vec(text string) string {
	d.t.Helper()
	v, err := d.emb.Embed(context.Background(), text)
	require.NoError(d.t, err)
	return literal(v)
}

func literal(v []float32) string {
	parts := make([]string, len(v))
	for i, f := range v {
		parts[i] = strconv.FormatFloat(float64(f), 'g', -1, 32)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// insert stores a memory with its embedding and returns its id.
func (d *db) insert(content string, domains, tags []string, nodeType string) uuid.UUID {
	d.t.Helper()
	if nodeType == "" {
		nodeType = "general"
	}
	var id uuid.UUID
	err := d.conn.QueryRow(context.Background(),
		`INSERT INTO memories (content, node_type, domains, tags, embedding)
		 VALUES ($1, $2, $3, $4, $5::vector) RETURNING id`,
		content, nodeType, nonNil(domains), nonNil(tags), d.vec(content)).Scan(&id)
	require.NoError(d.t, err)
	return id
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// row is one result row of vestige_search and its single-branch forms.
type row struct {
	ID          uuid.UUID
	Content     string
	RRF         float64
	FTSScore    *float64
	VectorScore *float64
	FTSRank     *int32
	VectorRank  *int32
}

func (d *db) search(sql string, args ...any) []row {
	d.t.Helper()
	rows, err := d.query(sql, args...)
	require.NoError(d.t, err, sql)
	return rows
}

func (d *db) query(sql string, args ...any) ([]row, error) {
	rows, err := d.conn.Query(context.Background(),
		`SELECT id, content, rrf_score, fts_score, vector_score, fts_rank, vector_rank FROM `+sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		err := r.Scan(&x.ID, &x.Content, &x.RRF, &x.FTSScore, &x.VectorScore, &x.FTSRank, &x.VectorRank)
		return x, err
	})
}

func ids(rows []row) []uuid.UUID {
	out := make([]uuid.UUID, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

// sqlstate returns the SQLSTATE of a Postgres error ("" otherwise).
func sqlstate(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code
	}
	return ""
}

func requireState(t *testing.T, err error, code string, contains ...string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, sqlstate(err), "error: %v", err)
	for _, c := range contains {
		require.Contains(t, err.Error(), c)
	}
}
