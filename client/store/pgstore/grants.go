package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// appTables are the store's tables an application role reads and writes. embedding_model
// is only read and updated (import keeps a dump's registration time): the registration
// itself goes through vestige_ensure_embedding_model, which runs as the owner.
var appTables = []string{"memories", "scheduling", "edges", "domains", "review_events", "fsrs_parameters", "new_cards", "memory_terms", "term_stats", "memory_count_shards"}

// GrantStatements is the SQL that gives role what vestige needs of it and nothing more:
// USAGE on the schema, rows of the store's tables, read access to the two bookkeeping
// tables (so that Open can check the schema), EXECUTE on the functions, and default
// privileges so that functions a later `vestige schema up` adds are executable too. No
// CREATE, no ownership: the role cannot run DDL. Run by the owner (default privileges are
// the running role's).
func GrantStatements(schema, role string) []string {
	s := pgx.Identifier{schema}.Sanitize()
	r := pgx.Identifier{role}.Sanitize()
	tables := ""
	for i, t := range appTables {
		if i > 0 {
			tables += ", "
		}
		tables += s + "." + t
	}
	return []string{
		"GRANT USAGE ON SCHEMA " + s + " TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON " + tables + " TO " + r,
		"GRANT SELECT, UPDATE ON " + s + ".embedding_model TO " + r,
		"GRANT SELECT ON " + s + ".vestige_functions, " + s + "." + VersionTable + " TO " + r,
		"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + s + " TO " + r,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA " + s + " TO " + r,
		"ALTER DEFAULT PRIVILEGES IN SCHEMA " + s + " GRANT EXECUTE ON FUNCTIONS TO " + r,
	}
}

// Grant runs GrantStatements for the current schema in one transaction and returns them.
// The schema must be migrated (the tables must exist).
func Grant(ctx context.Context, conn *pgx.Conn, role string) ([]string, error) {
	if role == "" {
		return nil, fmt.Errorf("schema grant: the role name is empty")
	}
	var schema string
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT current_schema(), EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)`, role).
		Scan(&schema, &exists); err != nil {
		return nil, fmt.Errorf("schema grant: %w", err)
	}
	if !exists {
		return nil, fmt.Errorf("schema grant: role %q does not exist", role)
	}
	st, err := Status(ctx, conn)
	if err != nil {
		return nil, err
	}
	if st.Version == 0 {
		return nil, fmt.Errorf("schema grant: the schema is empty: run `vestige schema up` first")
	}
	stmts := GrantStatements(schema, role)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("schema grant: %w", err)
	}
	return stmts, nil
}
