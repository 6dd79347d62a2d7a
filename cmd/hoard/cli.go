package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// errHelpShown ends a command after its help was printed: the exit status is 0.
var errHelpShown = errors.New("help shown")

// parseFlags parses a subcommand's flags. Help goes to stdout and is not an error;
// a word left over after the flags is one, since flag parsing stops at the first
// non-flag and would otherwise drop every flag after it without a word.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if wantsHelp(args) {
		fs.SetOutput(os.Stdout)
	}
	fs.Usage = printUsage(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelpShown
		}
		return err
	}
	if err := applyEnv(fs, os.LookupEnv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q (every option is a flag, such as --listen :8080; see hoard %s -h)",
			fs.Name(), fs.Arg(0), fs.Name())
	}
	return nil
}

// wantsHelp reports whether -h or --help comes before the first non-flag word.
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "-h", "-help", "--help", "--h":
			return true
		case "--":
			return false
		}
	}
	return false
}
