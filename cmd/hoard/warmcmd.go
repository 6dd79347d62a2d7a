package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/dustin/go-humanize"

	"hoard/proxy/admin"
	"hoard/proxy/warm"
)

// warmCmd asks the running daemon to fetch everything the files name, through its
// normal fill path, and prints what happened.
func warmCmd(args []string) error {
	fs := flag.NewFlagSet("warm", flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	mount := fs.String("mount", "", "the mount that serves the files of its format (default: the one mount of each file's format)")
	prefix := fs.String("path-prefix", "", "path under the mount before the repository layout, such as OWNER/REPO for GitHub's Maven registry")
	tok := fs.String("token", "", "a client token the requests carry, checked and sent upstream as a client's would be; user:password goes as Basic (default: none)")
	parallel := fs.Int("parallel", 8, "requests at once")
	files, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("warm: name at least one lockfile or list: hoard warm [--mount NAME] FILE...")
	}
	req := admin.WarmRequest{Mount: *mount, Prefix: *prefix, Token: *tok, Parallel: *parallel}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("warm: %w", err)
		}
		req.Files = append(req.Files, admin.WarmFile{Name: filepath.Base(f), Data: b})
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	resp, err := a.request(ctx, "POST", "/api/warm", bytes.NewReader(body), map[string][]string{"Content-Type": {"application/json"}})
	if err != nil {
		return fmt.Errorf("warm: %w", err)
	}
	defer resp.Body.Close()
	sum, err := readWarmStream(resp.Body)
	if err != nil {
		return fmt.Errorf("warm: %w", err)
	}
	return printWarmSummary(sum)
}

func readWarmStream(body interface{ Read([]byte) (int, error) }) (*warm.Summary, error) {
	prog := newCountProgress(os.Stderr, "warm", "requests")
	var done, planned, fetched int64
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l admin.WarmLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("the daemon's answer is not a warm stream: %v", err)
		}
		if l.Summary != nil {
			prog.Finish(done, planned, fetched)
			return l.Summary, nil
		}
		if ev := l.Event; ev != nil {
			done++
			planned = max(planned, ev.Planned)
			if ev.Result == warm.Fetched {
				fetched += ev.Bytes
			}
			prog.Update(done, planned, fetched)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return nil, errors.New("the daemon's answer ended before its summary (did it stop?)")
}

func printWarmSummary(s *warm.Summary) error {
	fmt.Printf("warm: %d fetched (%s), %d already cached, %d failed\n", s.Fetched, humanize.IBytes(uint64(s.FetchedBytes)), s.Cached, s.Failed)
	for _, sk := range s.Skipped {
		fmt.Printf("  skipped %s\n", sk)
	}
	for _, f := range s.Failures {
		fmt.Printf("  failed %s\n", f)
	}
	if s.Failed > 0 {
		return fmt.Errorf("warm: %d requests failed (listed above)", s.Failed)
	}
	return nil
}
