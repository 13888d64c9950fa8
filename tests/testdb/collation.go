package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vestige-mem/vestige/client/store/pgstore"
	sqlfs "github.com/vestige-mem/vestige/sql"
)

// ICULocale is the collation NewICU's databases sort text by. en-US differs from byte order
// in the ways that matter to vestige: case is ignored at first ("a" < "B"), punctuation such
// as "_" and "-" sorts before letters, and "é" sorts beside "e" rather than after "z".
const ICULocale = "en-US"

// NewICU returns the URL of a fresh, migrated database whose default collation is ICU
// en-US (the test cluster's own is C.UTF-8, where text order happens to be byte order), so
// that a query ordering text without COLLATE "C" shows itself. pgtestdb v0.1.1 cannot pick
// a template's locale, so this builds its own template (once per SQL hash, with the
// production migrate function) and clones it; the clone is dropped when the test ends.
func NewICU(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := URL(t)
	hash, err := sqlfs.Hash(".")
	if err != nil {
		t.Fatalf("hash the SQL files: %v", err)
	}
	tpl := "vestige_icu_tpl_" + hash[:16]
	if err := ensureICUTemplate(ctx, admin, tpl); err != nil {
		t.Fatalf("ICU template database: %v", err)
	}
	name := "vestige_icu_" + randomSuffix(t)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{tpl}.Sanitize()); err != nil {
		t.Fatalf("create ICU test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("drop ICU test database: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
			t.Errorf("drop ICU test database: %v", err)
		}
	})
	u, err := withDatabase(admin, name)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return u
}

// ensureICUTemplate creates and migrates tpl unless it exists. Test binaries run at once
// (and other worktrees share the server), so the work is serialised by an advisory lock, and
// the template is migrated under a scratch name and renamed only when complete: a template
// that exists is always whole.
func ensureICUTemplate(ctx context.Context, admin, tpl string) error {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	key := fnv.New64a()
	key.Write([]byte(tpl))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(key.Sum64())); err != nil {
		return err
	}
	defer conn.Exec(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(key.Sum64())) //nolint:errcheck // closing the session unlocks too
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, tpl).Scan(&exists); err != nil || exists {
		return err
	}
	build := tpl + "_build"
	stmts := []string{
		`DROP DATABASE IF EXISTS ` + pgx.Identifier{build}.Sanitize() + ` WITH (FORCE)`,
		// LOCALE sets the libc part (lc_ctype, used by full-text parsing), kept as the
		// cluster's; the ICU locale sets the collation every text comparison uses.
		fmt.Sprintf(`CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE '%s' LOCALE 'C.UTF-8'`,
			pgx.Identifier{build}.Sanitize(), ICULocale),
	}
	for _, sql := range stmts {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("%s: %w", sql, err)
		}
	}
	buildURL, err := withDatabase(admin, build)
	if err != nil {
		return err
	}
	if err := migrateURL(ctx, buildURL); err != nil {
		return fmt.Errorf("migrate %s: %w", build, err)
	}
	_, err = conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{build}.Sanitize()+` RENAME TO `+pgx.Identifier{tpl}.Sanitize())
	return err
}

func migrateURL(ctx context.Context, u string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return pgstore.Migrate(ctx, conn)
}

// withDatabase is the server URL with its database replaced by name.
func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("VESTIGE_TEST_DATABASE_URL is not a URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomSuffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	return hex.EncodeToString(b)
}
