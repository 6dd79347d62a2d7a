package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// caCmd is `hoard ca export`: the forward proxy's CA certificate, in PEM, for the
// clients that go through the proxy to trust. The daemon makes the CA on its first
// start with --proxy-listen; this only reads it, so it runs beside the daemon.
func caCmd(args []string) error {
	if len(args) == 0 || args[0] != "export" {
		return errors.New("usage: hoard ca export [--data-dir DIR] [--out FILE]")
	}
	set := flag.NewFlagSet("ca export", flag.ContinueOnError)
	dataDir := set.String("data-dir", "./hoard-data", "the daemon's data directory")
	out := set.String("out", "", "write the certificate to this file (default: standard output)")
	if err := parseFlags(set, args[1:]); err != nil {
		return err
	}
	pem, err := os.ReadFile(filepath.Join(*dataDir, "ca", "ca.pem"))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("no forward-proxy CA in %s: start hoard serve --proxy-listen ADDR once with this data directory to make it", *dataDir)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = os.Stdout.Write(pem)
		return err
	}
	return os.WriteFile(*out, pem, 0o644)
}
