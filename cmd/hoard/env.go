package main

import (
	"flag"
	"fmt"
	"strings"
)

// Every flag can be given in the environment as HOARD_<FLAG>, so a container image
// can carry its defaults (HOARD_DATA_DIR=/data) while `docker run IMAGE --offline`
// adds to them instead of replacing a whole command line. A flag on the command
// line wins over the environment, which wins over the configuration file.

// envName is the variable that sets a flag: data-dir -> HOARD_DATA_DIR.
func envName(flagName string) string {
	return "HOARD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// applyEnv sets every flag not given on the command line from its variable.
func applyEnv(fs *flag.FlagSet, lookup func(string) (string, bool)) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v, ok := lookup(envName(f.Name)); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %v", envName(f.Name), v, serr)
			}
		}
	})
	return err
}

// entryArgs is the command line as the container's entrypoint sees it: arguments
// that start with a flag are serve's, so `docker run IMAGE --offline` runs
// `hoard serve --offline` with the image's defaults, while `docker run IMAGE verify`
// still runs verify.
func entryArgs(args []string) []string {
	if len(args) == 0 || !strings.HasPrefix(args[0], "-") {
		return args
	}
	switch args[0] {
	case "-h", "-help", "--help", "-version", "--version":
		return args
	}
	return append([]string{"serve"}, args...)
}

// envHelp ends every command's help.
const envHelp = "\nEvery flag can also be set in the environment as HOARD_<FLAG> (HOARD_DATA_DIR for --data-dir);\na flag on the command line wins over the environment, which wins over the configuration file.\n"

// printUsage is a FlagSet's usage with the environment note.
func printUsage(fs *flag.FlagSet) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "Usage of hoard %s:\n", fs.Name())
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
}
