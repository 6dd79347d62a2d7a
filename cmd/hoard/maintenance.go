package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"hoard/cache"
)

// openForMaintenance opens the data directory of a stopped daemon for verify or gc:
// one that is not a Hoard data directory, or that a daemon holds, is refused in
// plain words before anything in it is touched.
func openForMaintenance(name string, args []string) (*cache.Store, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./hoard-data", "the daemon's data directory (the daemon must be stopped)")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if err := checkDataDir(*dataDir); err != nil {
		return nil, err
	}
	log := consoleLogger(*logLevel)
	store, err := cache.Open(cache.Options{Dir: *dataDir, Logger: log, Progress: newProgress(os.Stderr, name)})
	if err != nil && strings.Contains(err.Error(), "Cannot acquire directory lock") {
		return nil, fmt.Errorf("%s is in use by a running hoard daemon (or another verify or gc): stop the daemon first, "+
			"then run hoard %s again", *dataDir, name)
	}
	return store, err
}

// checkDataDir refuses a path that is not a Hoard data directory: opening one would
// create an empty cache there and report success on nothing.
func checkDataDir(dir string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--data-dir %s does not exist: give the daemon's data directory (data_dir in its configuration; ./hoard-data by default)", dir)
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("--data-dir %s is not a directory", dir)
	}
	for _, sub := range []string{"index", filepath.Join("blobs", "sha256")} {
		if st, err := os.Stat(filepath.Join(dir, sub)); err != nil || !st.IsDir() {
			return fmt.Errorf("%s is not a Hoard data directory (it has no %s/): give the daemon's data directory (data_dir in its configuration)", dir, sub)
		}
	}
	return nil
}

// consoleLogger writes the cache's few log lines as plain text, so the command's
// output is read by people, not JSON next to prose.
func consoleLogger(level string) zerolog.Logger {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		lvl = zerolog.WarnLevel
	}
	w := zerolog.ConsoleWriter{Out: os.Stderr, NoColor: true, TimeFormat: time.TimeOnly}
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger()
}

func verify(args []string) error {
	store, err := openForMaintenance("verify", args)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.Verify(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("verify: checked %d blobs: %d corrupt, %d index entries dropped\n", rep.Checked, rep.Corrupt, rep.Dropped)
	if rep.Corrupt > 0 {
		return fmt.Errorf("verify found %d corrupt blobs; they were removed with their %d index entries and are fetched again on their next request",
			rep.Corrupt, rep.Dropped)
	}
	return nil
}

func gc(args []string) error {
	store, err := openForMaintenance("gc", args)
	if err != nil {
		return err
	}
	defer store.Close()
	rep, err := store.GC(context.Background())
	if err != nil {
		return err
	}
	fmt.Printf("gc: removed %d unreferenced blobs (%d bytes) and %d temp files of interrupted fills (%d bytes)\n",
		rep.Removed, rep.RemovedBytes, rep.TmpRemoved, rep.TmpBytes)
	if rep.SeenRemoved > 0 {
		fmt.Printf("gc: removed %d first-seen records of packages no longer cached\n", rep.SeenRemoved)
	}
	return nil
}
