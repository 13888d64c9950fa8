package sqlitestore

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"zombiezen.com/go/sqlite"

	"github.com/vestige-mem/vestige/client/store"
)

// The full-text rule of vestige_fts_ranked (docs/fts-ranking.md), constant for constant.
const (
	bm25K1 = 1.2
	// candidateBound: past this many matches, candidates come from the rarest terms only.
	candidateBound = 2000
	// minIDF keeps a term found in most memories from scoring zero or below (FTS5's floor).
	minIDF = 1e-6
	// maxQueryTerms and maxQueryChars bound the work any text can cause (vestige_fts_terms):
	// the first 64 distinct terms of the first 100,000 characters.
	maxQueryTerms = store.MaxQueryTerms
	maxQueryChars = store.MaxQueryTextChars
)

// columnWeight is the weight of an occurrence by FTS5 column (content, node_type, tags): the
// weights Postgres gives A, B and C, as the float4 values ts_rank_cd holds them.
func columnWeight(col string) float64 {
	switch col {
	case "content":
		return float64(float32(1.0))
	case "node_type":
		return float64(float32(0.4))
	default:
		return float64(float32(0.2))
	}
}

// ftsQueryText is what the query is stemmed from: the tokens of its first 100,000 characters
// in the index's form (ftsText: NFC, CJK pairs), as unicode61 splits them, without stop words
// and duplicates, in order, joined by spaces. "" when no term is left.
func ftsQueryText(text string) string {
	text = ftsText(firstChars(text, maxQueryChars))
	seen := map[string]bool{}
	var kept []string
	for _, tok := range tokens(text) {
		if !seen[tok] && !isStopWord(tok) {
			seen[tok] = true
			kept = append(kept, tok)
		}
	}
	return strings.Join(kept, " ")
}

// firstChars is Postgres' left(s, n): the first n characters (runes) of s.
func firstChars(s string, n int) string {
	count := 0
	for i := range s {
		if count == n {
			return s[:i]
		}
		count++
	}
	return s
}

// ftsRanked is vestige_fts_ranked. FTS5 supplies what Postgres' tsvector does: the English
// terms of the query (stemmed by the index's own porter tokenizer, through a scratch table of
// the connection), each term's document frequency and each occurrence's column (fts5vocab
// over the index). The score of a memory is, over the query terms it holds,
//
//	sum of idf(t) × tf(t) × (k1 + 1) / (tf(t) + k1),  k1 = 1.2
//
// tf(t) = occurrences weighted content 1.0, node type 0.4, tags 0.2; idf(t) = max(ln((N − df +
// 0.5) / (df + 0.5)), 1e-6). Best first, ties by id. (FTS5's bm25() is this with a length
// normalisation Postgres does not apply, so it is not used: it ranks differently.)
func ftsRanked(conn *sqlite.Conn, text string, limit int, f filter) ([]branchHit, error) {
	q := ftsQueryText(text)
	if q == "" || limit < 1 {
		return nil, nil
	}
	terms, err := stems(conn, q)
	if err != nil || len(terms) == 0 {
		return nil, err
	}
	var total int64
	if _, err := queryOne(conn, `SELECT count(*) FROM memories`, func(stmt *sqlite.Stmt) error {
		total = stmt.ColumnInt64(0)
		return nil
	}); err != nil {
		return nil, err
	}
	index := make(map[string]int, len(terms))
	for i, t := range terms {
		index[t] = i
	}
	dfs := make([]int64, len(terms))
	err = query(conn, `SELECT term, doc FROM memories_fts_terms WHERE term IN (SELECT value FROM json_each(?1))`,
		func(stmt *sqlite.Stmt) error {
			if i, ok := index[stmt.ColumnText(0)]; ok {
				dfs[i] = stmt.ColumnInt64(1)
			}
			return nil
		}, terms)
	if err != nil {
		return nil, err
	}
	// N is never below a df (vestige_fts_ranked's rule, for estimates that lag behind
	// counts; here both are exact), so the logarithm's argument stays > 0.
	total = max(total, slices.Max(dfs), 1)
	idfs := make([]float64, len(terms))
	for i := range terms {
		idfs[i] = max(math.Log((float64(total-dfs[i])+0.5)/(float64(dfs[i])+0.5)), minIDF)
	}

	// Candidates: every match, unless that is too many; then the rarest terms' matches.
	byDF := make([]int, 0, len(terms))
	for i := range terms {
		if dfs[i] > 0 {
			byDF = append(byDF, i)
		}
	}
	slices.SortStableFunc(byDF, func(a, b int) int { return int(dfs[a] - dfs[b]) })
	retrieval := map[int]bool{}
	var cumulative int64
	for _, i := range byDF {
		if len(retrieval) > 0 && cumulative+dfs[i] > candidateBound {
			break
		}
		retrieval[i] = true
		cumulative += dfs[i]
	}
	if len(retrieval) == 0 {
		return nil, nil
	}

	// Weighted occurrences per memory and term; a memory is a candidate when it holds a
	// retrieval term (rare) or, failing a full page from those, any term (all).
	tf := map[int64][]float64{}
	candidate := map[int64]bool{}
	anyTerm := map[int64]bool{}
	matched := make([]string, len(byDF))
	for j, i := range byDF {
		matched[j] = terms[i]
	}
	err = query(conn, `SELECT term, doc, col FROM memories_fts_instances WHERE term IN (SELECT value FROM json_each(?1))`,
		func(stmt *sqlite.Stmt) error {
			i, ok := index[stmt.ColumnText(0)]
			if !ok {
				return nil
			}
			rid := stmt.ColumnInt64(1)
			w := tf[rid]
			if w == nil {
				w = make([]float64, len(terms))
				tf[rid] = w
			}
			w[i] += 1.0 / (1.0 / columnWeight(stmt.ColumnText(2)))
			if retrieval[i] {
				candidate[rid] = true
			}
			anyTerm[rid] = true
			return nil
		}, matched)
	if err != nil {
		return nil, err
	}

	hits, err := scoreCandidates(conn, f, candidate, tf, idfs)
	if err != nil {
		return nil, err
	}
	// The bound never costs a page: when the rare terms' matches that pass the filters cannot
	// fill it, every term retrieves.
	if len(retrieval) < len(byDF) && len(hits) < limit {
		if hits, err = scoreCandidates(conn, f, anyTerm, tf, idfs); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(hits, func(a, b branchHit) int {
		return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.id, b.id))
	})
	hits = hits[:min(len(hits), limit)]
	for i := range hits {
		hits[i].rank = i + 1
	}
	return hits, nil
}

// scoreCandidates scores the candidates that pass the filters (in no particular order).
func scoreCandidates(conn *sqlite.Conn, f filter, candidate map[int64]bool, tf map[int64][]float64, idfs []float64) ([]branchHit, error) {
	rids := make([]int64, 0, len(candidate))
	for rid := range candidate {
		rids = append(rids, rid)
	}
	var hits []branchHit
	err := query(conn, `SELECT m.rid, m.id FROM memories m
		 WHERE m.rid IN (SELECT value FROM json_each(?1))`+f.clause()+` LIMIT ?8`,
		func(stmt *sqlite.Stmt) error {
			var score float64
			for i, w := range tf[stmt.ColumnInt64(0)] {
				if w > 0 {
					// ts_rank_cd returns float4.
					t := float64(float32(w))
					score += idfs[i] * t * (bm25K1 + 1) / (t + bm25K1)
				}
			}
			hits = append(hits, branchHit{id: stmt.ColumnText(1), score: score})
			return nil
		}, f.args(jsonInts(rids), -1)...)
	return hits, err
}

// queryTokenizer must be the tokenize option of memories_fts (sql/sqlite/001_init.sql), so
// that query terms are stemmed exactly as the index stems memories (a test checks it).
const queryTokenizer = `porter unicode61 remove_diacritics 0`

// prepareStemmer creates the connection's scratch table that stems query text: a temp FTS5
// table with the index's tokenizer and its fts5vocab view. Temp objects are private to the
// connection and never touch the database file.
func prepareStemmer(conn *sqlite.Conn) error {
	for _, stmt := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.vestige_query USING fts5 (q, tokenize = '` + queryTokenizer + `')`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.vestige_query_terms USING fts5vocab (temp, vestige_query, instance)`,
	} {
		if err := exec(conn, stmt); err != nil {
			return err
		}
	}
	return nil
}

// stems returns the distinct index terms of q in order of first appearance (ties, which one
// word splitting into several would make, by term), at most maxQueryTerms: the lexemes of
// vestige_fts_terms, in its order.
func stems(conn *sqlite.Conn, q string) ([]string, error) {
	if err := exec(conn, `DELETE FROM temp.vestige_query`); err != nil {
		return nil, err
	}
	if err := exec(conn, `INSERT INTO temp.vestige_query (rowid, q) VALUES (1, ?1)`, q); err != nil {
		return nil, err
	}
	var terms []string
	err := query(conn, `SELECT term FROM temp.vestige_query_terms
		 GROUP BY term ORDER BY min("offset"), term LIMIT ?1`, func(stmt *sqlite.Stmt) error {
		terms = append(terms, stmt.ColumnText(0))
		return nil
	}, maxQueryTerms)
	return terms, err
}

// jsonInts encodes ids as a JSON array for json_each.
func jsonInts(ids []int64) jsonText {
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return jsonText(b.String())
}
