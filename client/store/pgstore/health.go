package pgstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/vestige-mem/vestige/client/store"
)

// MinPgvector is the oldest pgvector library vestige supports: 0.8.3 fixed a possible HNSW
// index corruption during vacuum (every 0.8.x before it has it), and 0.8 is needed anyway
// for iterative index scans. The fix is in the library (vector.so): the extension's SQL
// upgrade scripts from 0.8.0 on are empty, so a database whose extension still says 0.8.0
// runs the fixed code once the library is new. scripts/install-postgres.sh and
// docs/postgres.md ("Supported versions") use the same number.
const MinPgvector = "0.8.3"

// minServerVersionNum is PostgreSQL 15 in server_version_num form.
const minServerVersionNum = 150000

// serverFacts is what a health check reads about the server, before judging it.
type serverFacts struct {
	Version    string // server_version, e.g. "15.18 (Debian 15.18-0+deb12u1)"
	VersionNum int    // server_version_num, e.g. 150018
	Pgvector   store.PgvectorHealth
	Schema     SchemaStatus
	Model      *store.ModelSignature
	// MissingSearchIndexes are the searchIndexes a bulk copy dropped and did not build back
	// (killed before its end): until they are, full-text search and due miss the copied rows.
	MissingSearchIndexes []string
}

// HealthCheck reports unavailable when no connection answers; degraded when the server or
// its pgvector is older than vestige supports, the schema is behind or ahead, the
// installed SQL API is not this binary's, or an interrupted copy left the search indexes
// unbuilt; healthy otherwise. It only reads (it works on a
// hot standby), and a failed check is a result, not an error.
func (s *Store) HealthCheck(ctx context.Context) (store.Health, error) {
	c, err := s.acquire(ctx)
	if err != nil {
		return store.Health{Status: store.Unavailable, Reason: s.reason(err)}, nil
	}
	defer c.Release()
	if err := c.Ping(ctx); err != nil {
		return store.Health{Status: store.Unavailable, Reason: s.reason(err)}, nil
	}
	var f serverFacts
	var ext, lib *string
	// default_version comes from the control file on disk, so it is the library that a new
	// connection loads; extversion is what CREATE/ALTER EXTENSION last left in this database.
	err = c.QueryRow(ctx, `SELECT current_setting('server_version'),
			current_setting('server_version_num')::int,
			(SELECT extversion FROM pg_extension WHERE extname = 'vector'),
			(SELECT default_version FROM pg_available_extensions WHERE name = 'vector')`).
		Scan(&f.Version, &f.VersionNum, &ext, &lib)
	if err != nil {
		return store.Health{Status: store.Degraded, Reason: s.reason(interpretError(err))}, nil
	}
	f.Pgvector = store.PgvectorHealth{Extension: deref(ext), Library: deref(lib), Minimum: MinPgvector}
	if f.Schema, err = Status(ctx, c.Conn()); err != nil {
		f.Schema = SchemaStatus{} // unknown: judge says nothing of it
		return degrade(judge(f), s.reason(err)), nil
	}
	if f.Schema.Version > 0 {
		if f.Model, err = loadModel(ctx, c); err != nil {
			return degrade(judge(f), s.reason(interpretError(err))), nil
		}
	}
	if f.Schema.Version == f.Schema.Latest && f.Schema.Latest > 0 {
		for _, ix := range searchIndexes {
			present, _, err := indexState(ctx, c.Conn(), ix.name)
			if err != nil {
				return degrade(judge(f), s.reason(interpretError(err))), nil
			}
			if !present {
				f.MissingSearchIndexes = append(f.MissingSearchIndexes, ix.name)
			}
		}
	}
	return judge(f), nil
}

// judge turns what a check read into a Health: every problem found is named in Reason, in
// the order an operator should fix them.
func judge(f serverFacts) store.Health {
	h := store.Health{Status: store.Healthy, Server: "PostgreSQL " + f.Version, Pgvector: &f.Pgvector, Model: f.Model}
	if f.VersionNum < minServerVersionNum {
		h = degrade(h, fmt.Sprintf("PostgreSQL %s is older than 15, the oldest vestige supports", f.Version))
	}
	switch lib := f.Pgvector.Library; {
	case lib == "":
		h = degrade(h, "pgvector is not installed on the server: install pgvector "+MinPgvector+" or newer (scripts/install-postgres.sh)")
	case VersionBelow(lib, MinPgvector):
		h = degrade(h, fmt.Sprintf("pgvector %s is older than %s, which fixed an HNSW index corruption during vacuum: "+
			"install pgvector %s or newer (scripts/install-postgres.sh), then run ALTER EXTENSION vector UPDATE", lib, MinPgvector, MinPgvector))
	}
	st := f.Schema
	if st.Latest == 0 { // not read
		return h
	}
	h.Schema = &store.SchemaHealth{Version: st.Version, Latest: st.Latest, Functions: st.FunctionsState()}
	switch {
	case st.Version < st.Latest:
		h = degrade(h, fmt.Sprintf("schema version %d is behind %d: run `vestige schema up`", st.Version, st.Latest))
	case st.Version > st.Latest:
		h = degrade(h, fmt.Sprintf("schema version %d is newer than this vestige (%d)", st.Version, st.Latest))
	case st.FunctionsState() == "newer":
		h = degrade(h, fmt.Sprintf("SQL API version %d was installed by a newer vestige (this one has %d): upgrade vestige", st.APIVersion, st.WantAPIVersion))
	case st.FunctionsState() != "current":
		h = degrade(h, fmt.Sprintf("SQL functions are %s: run `vestige schema up`", st.FunctionsState()))
	}
	if len(f.MissingSearchIndexes) > 0 {
		h = degrade(h, fmt.Sprintf("search indexes %s are missing, as a copy into this database leaves them until its end: "+
			"full-text search and due miss the copied memories; run `vestige migrate copy` again to finish it",
			strings.Join(f.MissingSearchIndexes, ", ")))
	}
	return h
}

// degrade marks h degraded and adds why (an unavailable store stays unavailable).
func degrade(h store.Health, why string) store.Health {
	if h.Status == store.Healthy {
		h.Status = store.Degraded
	}
	if h.Reason == "" {
		h.Reason = why
	} else {
		h.Reason += "; " + why
	}
	return h
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// VersionBelow reports whether version v is older than least, comparing the leading dotted
// numbers ("0.8.7", "0.8.7-dev", "0.9"). A version with no number in front is treated as
// older: vestige cannot vouch for it.
func VersionBelow(v, least string) bool {
	a, ok := versionParts(v)
	if !ok {
		return true
	}
	b, _ := versionParts(least)
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func versionParts(v string) ([]int, bool) {
	var out []int
	for _, p := range strings.Split(v, ".") {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		if end == 0 {
			break
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			break
		}
		out = append(out, n)
		if end < len(p) { // "7-dev": the rest is a suffix, not more numbers
			break
		}
	}
	return out, len(out) > 0
}
