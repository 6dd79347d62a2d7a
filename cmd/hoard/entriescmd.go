package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/dustin/go-humanize"

	"hoard/proxy/admin"
)

// lsCmd lists cached entries, page by page from the daemon's admin API.
func lsCmd(args []string) error {
	fs := flag.NewFlagSet("ls", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	mount := fs.String("mount", "", "list only this mount (default: every mount)")
	asJSON := fs.Bool("json", false, "print the entries as JSON lines instead of a table")
	words, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(words) > 1 {
		return errors.New("ls: one pattern at most: hoard ls [--mount NAME] [PATTERN]")
	}
	q := url.Values{"limit": {"1000"}}
	if *mount != "" {
		q.Set("mount", *mount)
	}
	if len(words) == 1 {
		q.Set("pattern", words[0])
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	out := newEntryPrinter(os.Stdout, *asJSON)
	defer out.flush()
	for {
		page, err := fetchEntries(ctx, a, q)
		if err != nil {
			return fmt.Errorf("ls: %w", err)
		}
		for _, e := range page.Entries {
			out.print(e)
		}
		if page.Next == "" {
			return nil
		}
		q.Set("after", page.Next)
	}
}

func fetchEntries(ctx context.Context, a adminFlags, q url.Values) (admin.EntriesPage, error) {
	var page admin.EntriesPage
	resp, err := a.request(ctx, "GET", "/api/entries?"+q.Encode(), nil, nil)
	if err != nil {
		return page, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return page, fmt.Errorf("reading the daemon's answer: %w", err)
	}
	return page, nil
}

// entryPrinter writes entries as an aligned table or as JSON lines.
type entryPrinter struct {
	tw   *tabwriter.Writer
	js   *json.Encoder
	head bool
}

func newEntryPrinter(w io.Writer, asJSON bool) *entryPrinter {
	if asJSON {
		return &entryPrinter{js: json.NewEncoder(w)}
	}
	return &entryPrinter{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
}

func (p *entryPrinter) print(e admin.ListedEntry) {
	if p.js != nil {
		_ = p.js.Encode(e)
		return
	}
	if !p.head {
		fmt.Fprintln(p.tw, "MOUNT\tFORMAT\tKEY\tSIZE\tHITS\tLAST ACCESS\tFLAGS")
		p.head = true
	}
	last := "-"
	if e.LastAccess != nil {
		last = e.LastAccess.Local().Format(time.DateTime)
	}
	fmt.Fprintf(p.tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", e.Mount, e.Format, e.Key,
		humanize.IBytes(uint64(e.Size)), e.Hits, last, entryFlags(e))
}

func entryFlags(e admin.ListedEntry) string {
	f := ""
	if e.Metadata {
		f += "metadata "
	}
	if e.Private {
		f += "private "
	}
	if e.Pinned {
		f += "pinned "
	}
	if f == "" {
		return "-"
	}
	return f[:len(f)-1]
}

func (p *entryPrinter) flush() {
	if p.tw != nil {
		p.tw.Flush()
	}
}

// purgeCmd removes the entries of a mount that match a pattern, or with --all the
// whole mount: a forgotten pattern must not empty a mount by itself.
func purgeCmd(args []string) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	mount := fs.String("mount", "", "the mount to purge from (required)")
	metaOnly := fs.Bool("metadata-only", false, "drop only metadata documents, so they are fetched afresh; artifacts stay")
	all := fs.Bool("all", false, "purge the whole mount (instead of a PATTERN)")
	words, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if *mount == "" || len(words) > 1 || (len(words) == 0) == !*all {
		return errors.New("purge: hoard purge --mount NAME [--metadata-only] PATTERN, or --all instead of PATTERN")
	}
	req := admin.PurgeRequest{Mount: *mount, MetadataOnly: *metaOnly}
	if len(words) == 1 {
		req.Pattern = words[0]
	}
	body, _ := json.Marshal(req)
	resp, err := a.request(context.Background(), "POST", "/api/purge", bytes.NewReader(body),
		map[string][]string{"Content-Type": {"application/json"}})
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	defer resp.Body.Close()
	var rep admin.PurgeReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return fmt.Errorf("purge: reading the daemon's answer: %w", err)
	}
	fmt.Printf("purge: %d entries (%s) removed from %s\n", rep.Purged, humanize.IBytes(uint64(rep.Bytes)), *mount)
	return nil
}
