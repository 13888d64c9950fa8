package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotOwner: VACUUM asked by a role that owns neither the store's tables nor the database.
// Postgres only warns ("skipping ... only table or database owner can vacuum it") and
// succeeds, so without this check `vestige vacuum` said "vacuumed" having done nothing.
var ErrNotOwner = errors.New("only the owner of the tables (or of the database, or a superuser) may vacuum them")

// VacuumRightsError names the role that may not vacuum, the tables it would skip, and who
// owns them.
type VacuumRightsError struct {
	Role   string
	Owners []string // the owners of the skipped tables
	Tables []string
}

func (e *VacuumRightsError) Error() string {
	return fmt.Sprintf("role %q may not vacuum %s (owned by %s): run `vestige vacuum` as the owner (%s), "+
		"the database owner or a superuser; the application role cannot",
		e.Role, strings.Join(e.Tables, ", "), strings.Join(e.Owners, ", "), strings.Join(e.Owners, " or "))
}

func (e *VacuumRightsError) Unwrap() error { return ErrNotOwner }

// checkVacuumRights lists the store's tables that VACUUM would skip for the current role:
// PostgreSQL 15 lets the table's owner, the database's owner and superusers vacuum
// (pg_has_role(..., 'USAGE') is true for a superuser and for members who inherit a role).
func checkVacuumRights(ctx context.Context, c *pgxpool.Conn) error {
	rows, err := c.Query(ctx, `
		SELECT current_user::text, c.relname::text, pg_get_userbyid(c.relowner)::text
		  FROM pg_class c
		 WHERE c.oid = ANY ($1::regclass[])
		   AND NOT pg_has_role(c.relowner, 'USAGE')
		   AND NOT pg_has_role((SELECT d.datdba FROM pg_database d WHERE d.datname = current_database()), 'USAGE')
		 ORDER BY c.relname`, strings.Split(strings.ReplaceAll(vacuumTables, " ", ""), ","))
	if err != nil {
		return fmt.Errorf("check vacuum rights: %w", err)
	}
	e := &VacuumRightsError{}
	seen := map[string]bool{}
	var table, owner string
	_, err = pgx.ForEachRow(rows, []any{&e.Role, &table, &owner}, func() error {
		e.Tables = append(e.Tables, table)
		if !seen[owner] {
			seen[owner] = true
			e.Owners = append(e.Owners, owner)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("check vacuum rights: %w", err)
	}
	if len(e.Tables) > 0 {
		return e
	}
	return nil
}
