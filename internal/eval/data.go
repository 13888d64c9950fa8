// Package eval measures search quality and speed on retrieval sets with relevance judgments
// (../shared/testdata/retrieval: SciFact, LoCoMo). The sets carry non-commercial licences:
// they are read from a path, never copied into the repository.
package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Doc is one line of corpus.jsonl: one memory.
type Doc struct {
	ID     string `json:"_id"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	Domain string `json:"domain"`
}

// Content is the memory's content: title, a newline, then text (text alone without a title).
func (d Doc) Content() string {
	if d.Title == "" {
		return d.Text
	}
	return d.Title + "\n" + d.Text
}

// Query is one line of queries.jsonl; Domain, when set, filters the search to it.
type Query struct {
	ID       string   `json:"_id"`
	Text     string   `json:"text"`
	Relevant []string `json:"relevant"`
	Domain   string   `json:"domain"`
}

// Set is one retrieval set.
type Set struct {
	Name    string
	Corpus  []Doc
	Queries []Query
}

// ErrNoData says the retrieval sets are not where they were looked for.
var ErrNoData = errors.New("retrieval sets not found")

// LoadSet reads dir/name/{corpus,queries}.jsonl.
func LoadSet(dir, name string) (Set, error) {
	s := Set{Name: name}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(filepath.Join(p, "corpus.jsonl")); errors.Is(err, fs.ErrNotExist) {
		return s, fmt.Errorf("%w: no %s (set VESTIGE_RETRIEVAL_DIR or -dir to the folder holding scifact/ and locomo/; see its README)",
			ErrNoData, filepath.Join(p, "corpus.jsonl"))
	}
	if err := readJSONL(filepath.Join(p, "corpus.jsonl"), &s.Corpus); err != nil {
		return s, err
	}
	if err := readJSONL(filepath.Join(p, "queries.jsonl"), &s.Queries); err != nil {
		return s, err
	}
	return s, nil
}

func readJSONL[T any](path string, out *[]T) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("eval: %s:%d: %w", path, n, err)
		}
		*out = append(*out, v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("eval: %s: %w", path, err)
	}
	return nil
}
