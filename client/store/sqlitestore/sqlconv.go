package sqlitestore

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// Every value goes through bind, never through zombiezen's reflection: that would store a
// typed nil pointer as the text "<nil>" and a time or a []float32 as its fmt.Sprint form. A
// type bind does not know is an error, so a new field cannot slip in unconverted (the STRICT
// tables are the second guard).
//
// The encodings (DESIGN.md §2) are the ones the Postgres backend round-trips to: times as UTC
// microseconds, UUIDs as lowercase text, arrays and maps as JSON, vectors as little-endian
// float32.
func bind(stmt *sqlite.Stmt, args []any) error {
	for i, a := range args {
		if err := bindOne(stmt, i+1, a); err != nil {
			return fmt.Errorf("sqlitestore: bind argument %d: %w", i+1, err)
		}
	}
	return nil
}

// jsonText is an already encoded JSON value, bound as text.
type jsonText string

func bindOne(stmt *sqlite.Stmt, i int, v any) error {
	switch x := v.(type) {
	case nil:
		stmt.BindNull(i)
	case string:
		stmt.BindText(i, x)
	case jsonText:
		stmt.BindText(i, string(x))
	case int:
		stmt.BindInt64(i, int64(x))
	case int64:
		stmt.BindInt64(i, x)
	case float64:
		stmt.BindFloat(i, x)
	case bool:
		stmt.BindBool(i, x)
	case uuid.UUID:
		stmt.BindText(i, x.String())
	case time.Time:
		us, err := micros(x)
		if err != nil {
			return err
		}
		stmt.BindInt64(i, us)
	case *time.Time:
		if x == nil {
			stmt.BindNull(i)
			return nil
		}
		return bindOne(stmt, i, *x)
	case *int:
		if x == nil {
			stmt.BindNull(i)
			return nil
		}
		stmt.BindInt64(i, int64(*x))
	case *float64:
		if x == nil {
			stmt.BindNull(i)
			return nil
		}
		stmt.BindFloat(i, *x)
	case []float32:
		if x == nil {
			stmt.BindNull(i)
			return nil
		}
		stmt.BindBytes(i, encodeVector(x))
	case []string, map[string]float64, map[string]any:
		s, err := encodeJSON(x)
		if err != nil {
			return err
		}
		stmt.BindText(i, s)
	default:
		return fmt.Errorf("no SQLite encoding for %T", v)
	}
	return nil
}

// Postgres timestamptz ends in the year 294276; microseconds since 1970 overflow int64 a
// little earlier. Times outside the years both can hold are refused rather than wrapped.
func micros(t time.Time) (int64, error) {
	if y := t.UTC().Year(); y < -4712 || y > 294246 {
		return 0, fmt.Errorf("time %s is outside the range the stores hold", t.UTC().Format(time.RFC3339))
	}
	return t.UnixMicro(), nil
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// encodeJSON writes nil slices and maps as empty ones (the stored columns are NOT NULL with
// empty defaults) and leaves <, > and & unescaped, so the text reads the same in the shell.
func encodeJSON(v any) (string, error) {
	switch x := v.(type) {
	case []string:
		if x == nil {
			return "[]", nil
		}
		if s, ok := plainStringsText(x); ok {
			return s, nil
		}
	case map[string]float64:
		if x == nil {
			return "{}", nil
		}
	case map[string]any:
		if x == nil {
			return "{}", nil
		}
		// Numbers in the plain form Postgres stores (1e2 → 100), so both backends return
		// the same text.
		c, err := store.CanonicalJSON(x)
		if err != nil {
			return "", err
		}
		v = c
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return unescapeLineSeparators(bytes.TrimRight(buf.Bytes(), "\n")), nil
}

// unescapeLineSeparators writes U+2028 and U+2029 as themselves: Go's encoder escapes them
// (for JavaScript's sake), Postgres does not, and the stored text's size is what the schema
// measures, so both backends must count the same bytes.
func unescapeLineSeparators(b []byte) string {
	if !bytes.Contains(b, []byte(`\u202`)) {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+5]) == "202" && (b[i+5] == '8' || b[i+5] == '9') {
			if b[i+5] == '8' {
				out = append(out, "\u2028"...)
			} else {
				out = append(out, "\u2029"...)
			}
			i += 5
			continue
		}
		out = append(out, b[i], b[i+1]) // any other escape, kept whole (\\ included)
		i++
	}
	return string(out)
}

func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

func decodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("sqlitestore: stored vector has %d bytes, not a multiple of 4", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// Column readers. The stored text was written by encodeJSON or checked by the tables' CHECK
// constraints, so a decoding failure means a damaged file and is returned as an error.

func colTime(stmt *sqlite.Stmt, col int) time.Time { return fromMicros(stmt.ColumnInt64(col)) }

func colTimePtr(stmt *sqlite.Stmt, col int) *time.Time {
	if stmt.ColumnIsNull(col) {
		return nil
	}
	t := colTime(stmt, col)
	return &t
}

func colIntPtr(stmt *sqlite.Stmt, col int) *int {
	if stmt.ColumnIsNull(col) {
		return nil
	}
	n := stmt.ColumnInt(col)
	return &n
}

func colUUID(stmt *sqlite.Stmt, col int) (uuid.UUID, error) {
	id, err := uuid.Parse(stmt.ColumnText(col))
	if err != nil {
		return uuid.Nil, fmt.Errorf("sqlitestore: stored id %q: %w", stmt.ColumnText(col), err)
	}
	return id, nil
}

func colVector(stmt *sqlite.Stmt, col int) ([]float32, error) {
	if stmt.ColumnIsNull(col) {
		return nil, nil
	}
	b := make([]byte, stmt.ColumnLen(col))
	stmt.ColumnBytes(col, b)
	return decodeVector(b)
}

func colStrings(stmt *sqlite.Stmt, col int) ([]string, error) {
	text := stmt.ColumnText(col)
	if out, ok := plainStrings(text); ok {
		return out, nil
	}
	out := []string{}
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return nil, fmt.Errorf("sqlitestore: stored %s: %w", stmt.ColumnName(col), err)
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// plainStringsText is encodeJSON of strings that need no escape (valid UTF-8 without
// quote, backslash or control character: plainStrings reads them back), written without
// encoding/json's reflection; ok is false for any other, which encodeJSON then encodes.
func plainStringsText(ss []string) (string, bool) {
	n := 2
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
				return "", false
			}
		}
		if !utf8.ValidString(s) {
			return "", false
		}
		n += len(s) + 3
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String(), true
}

// plainStrings reads the array encodeJSON writes for tags and domains when its strings need
// no unescaping (["a","b c"]: valid UTF-8, no quote, backslash or control character), as
// json.Unmarshal would, without its reflection; ok is false for any other text, which
// json.Unmarshal then reads (or refuses).
func plainStrings(text string) (out []string, ok bool) {
	if len(text) < 2 || text[0] != '[' || text[len(text)-1] != ']' {
		return nil, false
	}
	body := text[1 : len(text)-1]
	out = []string{}
	for body != "" {
		if body[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(body) && body[end] != '"' {
			if c := body[end]; c == '\\' || c < 0x20 {
				return nil, false
			}
			end++
		}
		if end == len(body) || !utf8.ValidString(body[1:end]) {
			return nil, false
		}
		out = append(out, body[1:end])
		body = body[end+1:]
		if body != "" {
			if body[0] != ',' || len(body) == 1 {
				return nil, false
			}
			body = body[1:]
		}
	}
	return out, true
}

func colScores(stmt *sqlite.Stmt, col int) (map[string]float64, error) {
	out := map[string]float64{}
	if err := json.Unmarshal([]byte(stmt.ColumnText(col)), &out); err != nil {
		return nil, fmt.Errorf("sqlitestore: stored %s: %w", stmt.ColumnName(col), err)
	}
	if out == nil {
		out = map[string]float64{}
	}
	return out, nil
}

// colObject reads a JSON object with its numbers as json.Number, so that integers past 2^53
// come back exactly.
func colObject(stmt *sqlite.Stmt, col int) (map[string]any, error) {
	out := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(stmt.ColumnText(col)))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("sqlitestore: stored %s: %w", stmt.ColumnName(col), err)
	}
	if out == nil {
		out = map[string]any{}
	}
	return out, nil
}
