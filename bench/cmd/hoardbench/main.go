// Command hoardbench runs Hoard's comparative benchmark (see bench/README.md):
// a local origin, Hoard, static nginx, nginx with proxy_cache and, when
// installed, Verdaccio, all driven by one load generator in one run, written up
// as a Markdown table of figures and ratios to static nginx.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"hoard/bench/harness"
)

func main() {
	d := harness.Defaults()
	cfg := d
	flag.StringVar(&cfg.WorkDir, "work", filepath.Join(os.TempDir(), "hoardbench"), "work directory (data, caches, logs, profiles)")
	flag.StringVar(&cfg.Out, "out", "bench/RESULTS.md", `report file; "-" prints it`)
	flag.DurationVar(&cfg.Duration, "duration", d.Duration, "each measured load run")
	flag.DurationVar(&cfg.Warmup, "warmup", d.Warmup, "unmeasured run before each measured one")
	flag.DurationVar(&cfg.Latency, "latency", d.Latency, "origin latency per request")
	rate := flag.Int64("origin-mbps", d.OriginRate>>20, "origin body rate per response, MiB/s (0: unlimited)")
	blob := flag.Int64("blob-mb", d.BlobBytes>>20, "size of the large blobs, MiB")
	flag.IntVar(&cfg.Herd, "herd", d.Herd, "clients in the thundering herd")
	flag.IntVar(&cfg.Cold, "cold", d.Cold, "cold fetches per kind of small content")
	flag.IntVar(&cfg.ColdBlobs, "cold-blobs", d.ColdBlobs, "cold fetches of a large blob (paced, and again unpaced)")
	flag.IntVar(&cfg.ColdDocs, "cold-docs", d.ColdDocs, "cold fetches of the 5 MB and of the 20 MB npm documents (each a document of its own)")
	flag.IntVar(&cfg.Runs, "runs", d.Runs, "rounds of the warm and herd scenarios, each figure their median (the origin holds one herd blob per round)")
	conc := flag.String("conc", "16,64", "concurrencies of the small-content runs")
	flag.IntVar(&cfg.BlobConc, "blob-conc", d.BlobConc, "concurrency of the large-blob run")
	scale := flag.String("scale", "1000,1000000", `index sizes for the scale scenario ("" skips it)`)
	only := flag.String("only", "", "comma-separated scenarios to run: warm-small, warm-large, warm-doc, cold, herd, scale (default all)")
	flag.BoolVar(&cfg.Pin, "pin", d.Pin, "load generator and upstreams on the first half of the CPUs, servers under test on the rest (taskset)")
	flag.BoolVar(&cfg.Profile, "pprof", false, "run Hoard with --pprof and save a CPU profile of each Hoard run under WORK/profiles")
	flag.StringVar(&cfg.Verdaccio, "verdaccio", "", `verdaccio executable (default: .ci/install-npm's); "-" leaves it out`)
	flag.StringVar(&cfg.Registry, "registry", "", `CNCF registry executable (default: .ci/install-oci's); "-" leaves OCI out`)
	quick := flag.Bool("quick", false, "a short run to check the harness: 1 s runs, one round unless -runs is given, 10 MB blobs, a herd of 50, 2 big cold documents, 10,000 index entries")
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg.OriginRate = *rate << 20
	cfg.BlobBytes = *blob << 20
	var err error
	if cfg.Conc, err = ints(*conc); err != nil {
		fatal(err)
	}
	if cfg.Scale, err = ints(*scale); err != nil {
		fatal(err)
	}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
	}
	if *quick {
		cfg.Duration, cfg.Warmup, cfg.BlobBytes, cfg.Herd, cfg.Cold, cfg.ColdBlobs, cfg.ColdDocs = time.Second, 200*time.Millisecond, 10<<20, 50, 5, 2, 2
		cfg.Scale = []int{1000, 10_000}
		if !set["runs"] {
			cfg.Runs = 1
		}
	}
	if cfg.Runs < 1 {
		fatal(fmt.Errorf("-runs %d: at least 1", cfg.Runs))
	}
	if cfg.Out == "-" {
		cfg.Out = ""
	}
	if cfg.Root, err = os.Getwd(); err != nil {
		fatal(err)
	}
	if _, err := os.Stat(filepath.Join(cfg.Root, "go.mod")); err != nil {
		fatal(fmt.Errorf("run from the repository root: %w", err))
	}
	cfg.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := harness.Run(ctx, cfg); err != nil {
		fatal(err)
	}
}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "hoardbench:", err)
	os.Exit(1)
}
