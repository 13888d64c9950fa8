// Command vestige-eval measures search quality and speed on real text: it loads each
// retrieval set (SciFact, LoCoMo) into each backend (a SQLite file in a temporary folder, a
// fresh database on a Postgres server) with an embedder (default hash-384), runs every query
// in modes fts, vector and hybrid (the default search), and prints nDCG@10, recall@10 and
// p50/p99 latency per backend and mode, then how far the backends agree.
//
//	go run ./cmd/vestige-eval [-dir DIR] [-sets scifact,locomo] [-backends sqlite,postgres] [-cpuprofile FILE]
//
// The sets are read from -dir, else VESTIGE_RETRIEVAL_DIR, else ../shared/testdata/retrieval
// (relative to the repository). Postgres is the server at -pg, else VESTIGE_EVAL_DATABASE_URL,
// else VESTIGE_TEST_DATABASE_URL; the database is created and dropped by the command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/vestige-mem/vestige/client"
	"github.com/vestige-mem/vestige/client/embedder"
	"github.com/vestige-mem/vestige/internal/eval"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vestige-eval:", err)
		if errors.Is(err, eval.ErrNoData) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("vestige-eval", flag.ContinueOnError)
	dir := fl.String("dir", env("VESTIGE_RETRIEVAL_DIR", "../shared/testdata/retrieval"), "folder holding the retrieval sets")
	sets := fl.String("sets", "scifact,locomo", "sets to run (comma-separated)")
	backends := fl.String("backends", "sqlite,postgres", "backends to run (comma-separated)")
	pgURL := fl.String("pg", env("VESTIGE_EVAL_DATABASE_URL", os.Getenv("VESTIGE_TEST_DATABASE_URL")),
		"Postgres server on which a database is created for the run and dropped after")
	model := fl.String("model", embedder.DefaultModel, "embedder")
	keep := fl.Bool("keep", false, "keep each Postgres database (its URL is printed) for profiling, instead of dropping it")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the searches (not the loading) to FILE.SET.BACKEND")
	weights := fl.String("vector-weights", "", "also run hybrid with full-text weight 1 and each of these vector weights (comma-separated)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	variants := []eval.Variant{{Name: "fts", Mode: client.FTS}, {Name: "vector", Mode: client.Vector},
		{Name: "hybrid", Mode: client.Hybrid}}
	for _, w := range split(*weights) {
		x, err := strconv.ParseFloat(w, 64)
		if err != nil {
			return fmt.Errorf("-vector-weights: %w", err)
		}
		one := 1.0
		variants = append(variants, eval.Variant{Name: "hybrid v=" + w, Mode: client.Hybrid, FTSWeight: &one, VectorWeight: &x})
	}
	emb, err := embedder.FromName(ctx, *model, embedder.Options{})
	if err != nil {
		return err
	}

	for _, name := range split(*sets) {
		set, err := eval.LoadSet(*dir, name)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s: %d memories, %d queries, embedder %s, top %d\n", name, len(set.Corpus), len(set.Queries), *model, eval.K)
		tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "backend\tmode\tnDCG@10\trecall@10\tp50 ms\tp99 ms\t")
		answers := map[string]map[string][][]string{} // variant → backend → answers
		var ran []string
		for _, b := range split(*backends) {
			prof := ""
			if *cpuProfile != "" {
				prof = *cpuProfile + "." + name + "." + b
			}
			res, err := runBackend(ctx, b, *pgURL, *keep, prof, emb, set, variants)
			if err != nil {
				return err
			}
			ran = append(ran, b)
			for i, v := range variants {
				r := res[i]
				fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.1f\t%.1f\t\n", b, v.Name, r.NDCG, r.Recall, ms(r.P50), ms(r.P99))
				if answers[v.Name] == nil {
					answers[v.Name] = map[string][][]string{}
				}
				answers[v.Name][b] = r.Answers
			}
		}
		tw.Flush()
		if len(ran) == 2 {
			fmt.Printf("agreement %s vs %s:\n", ran[0], ran[1])
			for _, v := range variants {
				top1, shared := eval.Agreement(answers[v.Name][ran[0]], answers[v.Name][ran[1]], eval.K)
				fmt.Printf("  %-14s same top 1 %5.1f %%, mean shared top 10 %.2f\n", v.Name, 100*top1, shared)
			}
		}
	}
	return nil
}

func runBackend(ctx context.Context, backend, pgURL string, keep bool, profile string, emb embedder.Embedder, set eval.Set, variants []eval.Variant) (_ []eval.Result, err error) {
	cl, done, err := open(ctx, backend, pgURL, keep, emb)
	if err != nil {
		return nil, err
	}
	defer done()
	docOf, err := eval.Load(ctx, cl, set)
	if err != nil {
		return nil, err
	}
	// As after any bulk load (vestige vacuum; BenchmarkSearch does the same): without it the
	// numbers depended on whether autovacuum had come by yet. Until it does, Postgres'
	// index-only scans of the new postings visit the heap for each one (the visibility map
	// is unset), which doubled the SciFact p50 in some runs and not in others.
	if err := cl.Vacuum(ctx); err != nil {
		return nil, fmt.Errorf("vacuum after the load: %w", err)
	}
	if profile != "" {
		stop, err := startProfile(profile)
		if err != nil {
			return nil, err
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	out := make([]eval.Result, len(variants))
	for i, v := range variants {
		if out[i], err = eval.Run(ctx, cl, set, docOf, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// startProfile starts a CPU profile written to path; the function returned stops it.
func startProfile(path string) (func() error, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

func ms(d interface{ Seconds() float64 }) float64 { return d.Seconds() * 1000 }

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func split(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
