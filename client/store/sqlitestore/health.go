package sqlitestore

import (
	"context"
	"fmt"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// HealthCheck reports unavailable when the file cannot be read and degraded when its schema
// is not this binary's; the error is only the context's. It also says which SQLite the
// binary embeds, the schema version and the registered model.
func (s *Store) HealthCheck(ctx context.Context) (store.Health, error) {
	var version string
	var v int
	var sig *store.ModelSignature
	latest := LatestVersion()
	err := s.read(ctx, func(conn *sqlite.Conn) error {
		if _, err := queryOne(conn, "SELECT sqlite_version()", func(stmt *sqlite.Stmt) error {
			version = stmt.ColumnText(0)
			return nil
		}); err != nil {
			return err
		}
		var err error
		if v, err = userVersion(conn); err != nil {
			return err
		}
		if v == latest {
			// Only a schema this binary knows has the table where it looks for the model.
			sig, err = model(conn)
		}
		return err
	})
	if err != nil {
		if ctx.Err() != nil {
			return store.Health{}, ctx.Err()
		}
		return store.Health{Status: store.Unavailable, Reason: err.Error()}, nil
	}
	h := store.Health{Status: store.Healthy, Server: "SQLite " + version,
		Schema: &store.SchemaHealth{Version: int32(v), Latest: int32(latest), Functions: "built in"}, Model: sig}
	if v != latest {
		h.Status = store.Degraded
		h.Reason = fmt.Sprintf("schema version %d, this vestige expects %d (run `vestige schema up`)", v, latest)
	}
	return h, nil
}
