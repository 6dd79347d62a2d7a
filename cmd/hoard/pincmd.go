package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/dustin/go-humanize"

	"hoard/proxy/admin"
)

func pinCmd(args []string) error   { return setPins("pin", "/api/pin", args) }
func unpinCmd(args []string) error { return setPins("unpin", "/api/unpin", args) }

// setPins pins or unpins the entries of a mount that match a pattern: pinned
// entries are never evicted.
func setPins(name, path string, args []string) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	var a adminFlags
	a.register(fs)
	mount := fs.String("mount", "", "the mount whose entries to "+name+" (required)")
	words, err := parseFlagsAndArgs(fs, args)
	if err != nil {
		return err
	}
	if *mount == "" || len(words) != 1 {
		return fmt.Errorf("%s: hoard %s --mount NAME PATTERN (\"*\" for every entry of the mount)", name, name)
	}
	body, _ := json.Marshal(admin.PinRequest{Mount: *mount, Pattern: words[0]})
	resp, err := a.request(context.Background(), "POST", path, bytes.NewReader(body),
		map[string][]string{"Content-Type": {"application/json"}})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	var rep admin.PinReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return errors.New(name + ": reading the daemon's answer: " + err.Error())
	}
	fmt.Printf("%s: %d entries (%s) in %s\n", name, rep.Entries, humanize.IBytes(uint64(rep.Bytes)), *mount)
	return nil
}
