package sqlitestore

import (
	"cmp"
	"container/heap"
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
//
// It returns the first page (≤ limit) of the limit best, to the bit: the rule that
// retrieves every term when the rarest cannot fill limit still counts to limit.
func ftsRanked(conn *sqlite.Conn, text string, limit, page int, f filter) ([]branchHit, error) {
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
	// Every term's occurrences are read once, whole: they give its df (the memories listed)
	// as well as its tf in each, so no statement counts documents apart (fts5vocab's row
	// table counts by reading the same lists).
	post := make([][]posting, len(terms))
	dfs := make([]int64, len(terms))
	buf := make([]posting, 0, 4096) // a SciFact claim's terms: about 3,000 memories
	for i, term := range terms {
		start := len(buf)
		if buf, err = readPostings(conn, term, buf); err != nil {
			return nil, err
		}
		post[i] = buf[start:len(buf):len(buf)]
		dfs[i] = int64(len(post[i]))
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
	nRetrieval := 0
	var cumulative int64
	for _, i := range byDF {
		if nRetrieval > 0 && cumulative+dfs[i] > candidateBound {
			break
		}
		nRetrieval++
		cumulative += dfs[i]
	}
	if nRetrieval == 0 {
		return nil, nil
	}

	// The retrieval terms' memories are the candidates; the other terms add only to them.
	tf := newTermFreqs(post, byDF, nRetrieval, int(cumulative))
	// The bound never costs a page: when the rare terms' matches that pass the filters cannot
	// fill limit, every term retrieves. Unfiltered, all pass: no row need be read to know.
	want := limit
	if !f.active() {
		want = page
	}
	if nRetrieval < len(byDF) && !f.active() && len(tf.rids) < limit {
		tf = newTermFreqs(post, byDF, len(byDF), 0)
	}
	hits, err := topHits(conn, f, tf, idfs, want)
	if err != nil {
		return nil, err
	}
	if nRetrieval < len(byDF) && f.active() && len(hits) < limit {
		tf = newTermFreqs(post, byDF, len(byDF), 0)
		if hits, err = topHits(conn, f, tf, idfs, limit); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(hits, func(a, b branchHit) int {
		return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.id, b.id))
	})
	hits = hits[:min(len(hits), page)]
	for i := range hits {
		hits[i].rank = i + 1
	}
	return hits, nil
}

// posting is a term's weighted occurrences (its tf) in one memory.
type posting struct {
	rid int64
	w   float64
}

// termFreqs holds the weighted occurrences (tf) of each query term in each candidate memory.
type termFreqs struct {
	terms int
	rids  []int64   // by row
	w     []float64 // row-major: w[row*terms+i] is the tf of term i
}

// newTermFreqs gathers the postings of terms order[0], order[1], …: the first adders of them
// add every memory holding them, the others only add to the memories already held. capacity
// is about how many memories the adders hold.
func newTermFreqs(post [][]posting, order []int, adders, capacity int) *termFreqs {
	terms := len(post)
	t := &termFreqs{terms: terms, rids: make([]int64, 0, capacity), w: make([]float64, 0, capacity*terms)}
	slot := make(map[int64]int, capacity) // rid → its row
	for k, i := range order {
		for _, p := range post[i] {
			row, ok := slot[p.rid]
			if !ok {
				if k >= adders {
					continue
				}
				row = len(t.rids)
				slot[p.rid] = row
				t.rids = append(t.rids, p.rid)
				t.w = append(t.w, make([]float64, terms)...)
			}
			t.w[row*terms+i] += p.w
		}
	}
	return t
}

// occurrenceWeight is what one occurrence adds to tf, by the length of its column's name
// (content 7, node_type 9, tags 4: distinct, and one call per row where reading the name
// copies it): 1/(1/weight), the arithmetic of ts_rank_cd.
var occurrenceWeight = [10]float64{
	len("content"):   1.0 / (1.0 / columnWeight("content")),
	len("node_type"): 1.0 / (1.0 / columnWeight("node_type")),
	len("tags"):      1.0 / (1.0 / columnWeight("tags")),
}

// termInstances lists a term's occurrences, memory by memory (fts5vocab's order: rowid, then
// column and offset). One term per statement: fts5vocab seeks to an equal term, and neither
// the term's text nor a list of terms is read per row (measured: a CROSS JOIN over the list
// costs more per row than it saves in cursors opened).
const termInstances = `SELECT doc, col FROM memories_fts_instances WHERE term = ?1`

// readPostings appends term's postings to buf, by rowid. Each sums its occurrences in index
// order, as ts_rank_cd does, so the sums are the same to the bit as Postgres'.
func readPostings(conn *sqlite.Conn, term string, buf []posting) ([]posting, error) {
	start := len(buf)
	err := query(conn, termInstances, func(stmt *sqlite.Stmt) error {
		rid := stmt.ColumnInt64(0)
		if len(buf) == start || buf[len(buf)-1].rid != rid {
			buf = append(buf, posting{rid: rid})
		}
		buf[len(buf)-1].w += occurrenceWeight[stmt.ColumnLen(1)]
		return nil
	}, term)
	return buf, err
}

// score is the memory's score from its row of tf, summed in query order.
func (t *termFreqs) score(row int, idfs []float64) float64 {
	var score float64
	for i, w := range t.w[row*t.terms : (row+1)*t.terms] {
		if w > 0 {
			// ts_rank_cd returns float4.
			tf := float64(float32(w))
			score += idfs[i] * tf * (bm25K1 + 1) / (tf + bm25K1)
		}
	}
	return score
}

// topHits returns the best candidates that pass the filters: at least limit of them (with
// every candidate whose score equals a returned one), or all when fewer pass; in no
// particular order. Scores need no row, so only the best candidates' rows are read (for the
// id and the filters), in batches down the scores: a batch ends where the score changes, so
// once limit candidates pass, every later one scores lower than all of them.
func topHits(conn *sqlite.Conn, f filter, t *termFreqs, idfs []float64, limit int) ([]branchHit, error) {
	type scored struct {
		rid   int64
		score float64
	}
	all := make([]scored, len(t.rids))
	for row, rid := range t.rids {
		all[row] = scored{rid, t.score(row, idfs)}
	}
	var hits []branchHit
	batch := max(limit, 16)
	for rest := all; len(rest) > 0 && len(hits) < limit; batch *= 2 {
		// The next batch: the best batch candidates left and all tied with the last of them.
		// Selected, not sorted: the caller sorts the few hits.
		next := rest
		if len(rest) > batch {
			th := kthLargest(rest, batch, func(c scored) float64 { return c.score })
			n := 0
			for j := range rest {
				if rest[j].score >= th {
					rest[n], rest[j] = rest[j], rest[n]
					n++
				}
			}
			next, rest = rest[:n], rest[n:]
		} else {
			rest = nil
		}
		score := make(map[int64]float64, len(next))
		rids := make([]int64, 0, len(next))
		for _, c := range next {
			score[c.rid] = c.score
			rids = append(rids, c.rid)
		}
		// LIMIT +?N, here and in the store's other statements: SQLite plans a bare LIMIT
		// parameter with its bound value, and so prepares the statement again at every new
		// binding; an expression is planned once.
		err := query(conn, `SELECT m.rid, m.id FROM memories m
			 WHERE m.rid IN (SELECT value FROM json_each(?1))`+f.clause()+` LIMIT +?8`,
			func(stmt *sqlite.Stmt) error {
				hits = append(hits, branchHit{id: stmt.ColumnText(1), score: score[stmt.ColumnInt64(0)]})
				return nil
			}, f.args(jsonInts(rids), -1)...)
		if err != nil {
			return nil, err
		}
	}
	return hits, nil
}

// kthLargest is the k-th largest of the values of xs (1 ≤ k ≤ len(xs)), by a min-heap of
// the k largest seen: O(n log k) where sorting all would be O(n log n).
func kthLargest[T any](xs []T, k int, value func(T) float64) float64 {
	h := make(floatHeap, k)
	for i := range k {
		h[i] = value(xs[i])
	}
	heap.Init(&h)
	for _, x := range xs[k:] {
		if v := value(x); v > h[0] {
			h[0] = v
			heap.Fix(&h, 0)
		}
	}
	return h[0]
}

// floatHeap is a min-heap of float64 for container/heap.
type floatHeap []float64

func (h floatHeap) Len() int           { return len(h) }
func (h floatHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h floatHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *floatHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *floatHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
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
	// One statement: FTS5 deletes the previous query's row itself on REPLACE.
	if err := exec(conn, `INSERT OR REPLACE INTO temp.vestige_query (rowid, q) VALUES (1, ?1)`, q); err != nil {
		return nil, err
	}
	var terms []string
	err := query(conn, `SELECT term FROM temp.vestige_query_terms
		 GROUP BY term ORDER BY min("offset"), term LIMIT `+strconv.Itoa(maxQueryTerms), func(stmt *sqlite.Stmt) error {
		terms = append(terms, stmt.ColumnText(0))
		return nil
	})
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
