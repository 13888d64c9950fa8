package sqlitestore

import (
	"errors"

	"zombiezen.com/go/sqlite"
)

// query runs sql with args (converted by bind) and calls each for every row. Statements are
// prepared once per connection and cached by their text.
func query(conn *sqlite.Conn, sql string, each func(*sqlite.Stmt) error, args ...any) error {
	stmt, err := conn.Prepare(sql)
	if err != nil {
		return err
	}
	defer func() {
		// Reset repeats the error of a failed Step, which was already returned.
		_ = stmt.Reset()
		_ = stmt.ClearBindings()
	}()
	if err := bind(stmt, args); err != nil {
		return err
	}
	for {
		row, err := stmt.Step()
		if err != nil {
			return err
		}
		if !row {
			return nil
		}
		if each != nil {
			if err := each(stmt); err != nil {
				return err
			}
		}
	}
}

func exec(conn *sqlite.Conn, sql string, args ...any) error {
	return query(conn, sql, nil, args...)
}

// queryOne runs sql and calls each for its first row; found reports whether there was one.
func queryOne(conn *sqlite.Conn, sql string, each func(*sqlite.Stmt) error, args ...any) (found bool, err error) {
	err = query(conn, sql, func(stmt *sqlite.Stmt) error {
		if found {
			return nil
		}
		found = true
		return each(stmt)
	}, args...)
	return found, err
}

// inTx runs fn inside a transaction opened by begin ("BEGIN" or "BEGIN IMMEDIATE") and
// commits when fn returns nil. The rollback runs even when the context was cancelled (it
// interrupts the connection), so a connection never goes back to the pool mid-transaction.
func inTx(conn *sqlite.Conn, begin string, fn func(*sqlite.Conn) error) (err error) {
	if err := exec(conn, begin); err != nil {
		return err
	}
	defer func() {
		p := recover()
		if p == nil && err == nil {
			if err = exec(conn, "COMMIT"); err == nil {
				return
			}
		}
		if !conn.AutocommitEnabled() {
			old := conn.SetInterrupt(nil)
			if rbErr := exec(conn, "ROLLBACK"); rbErr != nil {
				err = errors.Join(err, rbErr)
			}
			conn.SetInterrupt(old)
		}
		if p != nil {
			panic(p)
		}
	}()
	return fn(conn)
}
