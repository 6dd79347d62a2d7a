package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"hoard/cache"
)

func openForMaintenance(name string, args []string) (*cache.Store, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./hoard-data", "the daemon's data directory (the daemon must be stopped)")
	logLevel := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return cache.Open(cache.Options{Dir: *dataDir, Logger: newLogger(os.Stderr, *logLevel)})
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
	fmt.Printf("checked %d blobs: %d corrupt, %d index entries dropped\n", rep.Checked, rep.Corrupt, rep.Dropped)
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
	fmt.Printf("removed %d unreferenced blobs (%d bytes)\n", rep.Removed, rep.RemovedBytes)
	return nil
}
