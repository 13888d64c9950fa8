// Package sqlfs holds every SQL file vestige ships, embedded once so that the binary, the
// tests and the template hash of the test databases all see the same bytes.
//
//   - migrations/: tern migrations for Postgres (tables, indexes, triggers), NNN_name.sql.
//   - functions/: the public PL/pgSQL API, one function per file, reinstalled by migrate
//     whenever their hash changes.
//   - sqlite/: the SQLite schema, numbered like the Postgres migrations where an
//     equivalent exists.
package sqlfs

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sort"
)

//go:embed migrations functions sqlite
var files embed.FS

// FS returns the embedded tree (migrations/, functions/, sqlite/).
func FS() fs.FS { return files }

// Sub returns one folder of the tree; the names are fixed, so a failure is a build bug.
func Sub(dir string) fs.FS {
	sub, err := fs.Sub(files, dir)
	if err != nil {
		panic("sqlfs: " + err.Error())
	}
	return sub
}

// Hash returns a hex SHA-256 over the paths and contents of every file below dir ("." for
// all), in path order. It changes whenever any byte of any file changes.
func Hash(dir string) (string, error) {
	var paths []string
	err := fs.WalkDir(files, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	h := sha256.New()
	for _, p := range paths {
		body, err := files.ReadFile(p)
		if err != nil {
			return "", err
		}
		h.Write([]byte(p))
		h.Write([]byte{0})
		h.Write(body)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
