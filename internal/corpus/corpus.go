// Package corpus generates synthetic agent memories and queries for benchmarks and large
// tests: word soup from a Zipf vocabulary with topic words, like the parity corpus in
// shared/testdata, at any size and fully determined by the seed.
package corpus

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Memory is one generated memory (no embedding: embed Content with the embedder at hand).
type Memory struct {
	ID        uuid.UUID
	Content   string
	NodeType  string
	Tags      []string
	Domains   []string
	CreatedAt time.Time
}

// Query is one generated query: words of one topic, some everyday words, and the domain it
// belongs to (for filtered searches).
type Query struct {
	Text   string
	Domain string
}

var (
	topics = [][]string{
		{"rust", "borrow", "cargo", "trait", "lifetime", "crate", "async", "tokio", "clippy", "macro"},
		{"postgres", "vacuum", "index", "replication", "wal", "query", "planner", "hnsw", "vector", "schema"},
		{"kubernetes", "pod", "ingress", "helm", "deployment", "node", "kubectl", "namespace", "autoscaler", "probe"},
		{"python", "numpy", "pandas", "virtualenv", "pip", "pytest", "decorator", "typing", "asyncio", "notebook"},
		{"garden", "tomato", "compost", "seedling", "mulch", "harvest", "basil", "watering", "soil", "greenhouse"},
		{"incident", "pager", "outage", "postmortem", "alert", "escalation", "latency", "timeline", "rollback", "oncall"},
		{"experiment", "hypothesis", "dataset", "gradient", "metric", "baseline", "ablation", "seed", "variance", "paper"},
		{"react", "component", "hooks", "css", "typescript", "bundle", "render", "state", "props", "vite"},
		{"terraform", "provider", "module", "state", "provisioning", "plan", "apply", "drift", "backend", "variable"},
		{"recipe", "sourdough", "oven", "flour", "starter", "dough", "bake", "yeast", "crust", "knead"},
	}
	// Domains are skewed, so a one-domain filter passes between 3 % and 40 % of rows.
	domains    = []string{"dev", "dev", "dev", "dev", "ops", "ops", "research", "home", "home", "personal"}
	nodeTypes  = []string{"note", "fact", "event", "decision", "question"}
	tagNames   = []string{"bug", "idea", "todo", "security", "release", "debt", "refactor", "meeting", "learning", "blocked"}
	everyday   = []string{"the", "and", "was", "with", "for", "this", "that", "after", "before", "team", "today", "yesterday", "again", "still", "because", "maybe", "should", "could", "people", "time", "work", "week", "good", "new", "first", "last", "long", "small", "big", "fixed", "found", "moved", "changed", "tried", "noticed", "checked", "asked", "shared", "wrote", "read"}
	syllables  = []string{"ka", "lo", "mi", "ren", "tu", "sa", "vel", "dor", "pi", "ne", "qua", "zin", "bo", "rix", "ta", "mer", "lu", "fen", "go", "shi"}
	vocabulary = buildVocabulary(3000)
)

// buildVocabulary makes pronounceable pseudo-words: rare words for the Zipf tail.
func buildVocabulary(n int) []string {
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		a, b, c := syllables[i%len(syllables)], syllables[(i/len(syllables))%len(syllables)], syllables[(i/400)%len(syllables)]
		out = append(out, a+b+c)
	}
	return out
}

// Generator makes memories and queries from one seed.
type Generator struct {
	rng  *rand.Rand
	zipf *rand.Zipf
	base time.Time
	seq  uint64
}

// New returns a generator; the same seed yields the same corpus.
func New(seed uint64) *Generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &Generator{
		rng:  rng,
		zipf: rand.NewZipf(rng, 1.1, 2, uint64(len(vocabulary)-1)),
		base: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
}

// Memory returns the next memory.
func (g *Generator) Memory() Memory {
	g.seq++
	topic := g.rng.IntN(len(topics))
	n := 8 + g.rng.IntN(30)
	words := make([]string, 0, n)
	for range n {
		switch r := g.rng.Float64(); {
		case r < 0.25:
			words = append(words, topics[topic][g.rng.IntN(len(topics[topic]))])
		case r < 0.65:
			words = append(words, everyday[g.rng.IntN(len(everyday))])
		default:
			words = append(words, vocabulary[g.zipf.Uint64()])
		}
	}
	content := strings.ToUpper(words[0][:1]) + words[0][1:] + " " + strings.Join(words[1:], " ") + "."
	var id uuid.UUID
	for i := range id {
		id[i] = byte(g.rng.Uint32())
	}
	id[6] = id[6]&0x0f | 0x40
	id[8] = id[8]&0x3f | 0x80
	tags := []string{tagNames[g.rng.IntN(len(tagNames))]}
	if g.rng.IntN(3) == 0 {
		if t := tagNames[g.rng.IntN(len(tagNames))]; t != tags[0] {
			tags = append(tags, t)
		}
	}
	return Memory{
		ID:        id,
		Content:   content,
		NodeType:  nodeTypes[g.rng.IntN(len(nodeTypes))],
		Tags:      tags,
		Domains:   []string{domains[(topic+g.rng.IntN(2))%len(domains)]},
		CreatedAt: g.base.Add(time.Duration(g.seq) * 37 * time.Second),
	}
}

// Query returns the next query: two or three topic words and sometimes an everyday word.
func (g *Generator) Query() Query {
	topic := g.rng.IntN(len(topics))
	words := []string{}
	for range 2 + g.rng.IntN(2) {
		words = append(words, topics[topic][g.rng.IntN(len(topics[topic]))])
	}
	if g.rng.IntN(2) == 0 {
		words = append(words, everyday[g.rng.IntN(len(everyday))])
	}
	return Query{Text: strings.Join(words, " "), Domain: domains[topic%len(domains)]}
}

// Describe summarises the generator's shape for benchmark reports.
func Describe() string {
	return fmt.Sprintf("%d topics × %d words, %d everyday words, Zipf(1.1) tail of %d pseudo-words", len(topics), len(topics[0]), len(everyday), len(vocabulary))
}
