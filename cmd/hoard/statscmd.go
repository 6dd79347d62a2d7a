package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"hoard/proxy/admin"
)

// statsCmd prints the daemon's cache and traffic figures.
func statsCmd(args []string) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	asJSON := fs.Bool("json", false, "print the daemon's JSON as it is")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	resp, err := a.request(context.Background(), "GET", "/api/stats", nil, nil)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	defer resp.Body.Close()
	if *asJSON {
		_, err := io.Copy(os.Stdout, resp.Body)
		return err
	}
	var st admin.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return fmt.Errorf("stats: reading the daemon's answer: %w", err)
	}
	printStats(os.Stdout, st)
	return nil
}

func printStats(w io.Writer, st admin.Stats) {
	c := st.Cache
	budget := "unlimited"
	if c.Budget > 0 {
		budget = humanize.IBytes(uint64(c.Budget))
	}
	pinned := humanize.IBytes(uint64(c.PinnedBytes))
	if c.PinnedBudget > 0 {
		pinned += " of " + humanize.IBytes(uint64(c.PinnedBudget))
	}
	fmt.Fprintf(w, "cache: %s of %s in %d entries; %d evicted; %d pinned (%s)\n",
		humanize.IBytes(uint64(c.Bytes)), budget, c.Entries, c.Evictions, c.PinnedEntries, pinned)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MOUNT\tFORMAT\tHITS\tMISSES\tHIT RATIO\tSERVED\tFROM UPSTREAM\tUPSTREAM REQ\tERRORS\tMEAN LATENCY\tBREAKER")
	for _, m := range st.Mounts {
		breaker := "closed"
		for _, b := range m.Upstream.Breakers {
			if b.Open {
				breaker = "open: " + b.Upstream
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.1f%%\t%s\t%s\t%d\t%.1f%%\t%.0fms\t%s\n", m.Mount, m.Format,
			m.Requests["hit"]+m.Requests["revalidated"]+m.Requests["stale"], m.Requests["miss"], m.HitRatio*100,
			humanize.IBytes(uint64(m.BytesServed)), humanize.IBytes(uint64(m.Upstream.Bytes)), m.Upstream.Requests, m.Upstream.ErrorRate*100,
			m.Upstream.MeanLatencySeconds*1000, breaker)
	}
	tw.Flush()
}
