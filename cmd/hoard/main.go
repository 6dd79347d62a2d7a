// Command hoard is a caching gateway for package registries.
//
//	hoard serve [flags]     run the daemon
//	hoard verify --data-dir DIR   re-hash every cached blob, drop corrupt ones
//	hoard gc --data-dir DIR       remove blobs no index entry references
//	hoard token create|list|revoke  local tokens for --auth local
//	hoard config print [serve flags]  the effective configuration
package main

import (
	"errors"
	"fmt"
	"os"

	"hoard/formats"
	"hoard/formats/maven"
	"hoard/formats/npm"
	"hoard/formats/oci"
)

// builtinFormats are the protocols this binary speaks, by configuration name.
func builtinFormats() map[string]formats.Format {
	return map[string]formats.Format{
		"maven": maven.New(),
		"npm":   npm.New(),
		"oci":   oci.New(),
	}
}

const usage = `usage: hoard <command> [flags]

commands:
  serve    run the caching gateway (see hoard serve -h)
  verify   re-hash every cached blob and drop corrupt ones (daemon stopped)
  gc       remove cached blobs that nothing references (daemon stopped)
  token    create, list and revoke local tokens (for --auth local)
  config   print the effective configuration: hoard config print [serve flags]
  version  print the version and commit (also: hoard --version)

Each command's flags and their defaults: hoard <command> -h
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "verify":
		err = verify(os.Args[2:])
	case "gc":
		err = gc(os.Args[2:])
	case "token":
		err = token(os.Args[2:])
	case "config":
		err = configCmd(os.Args[2:])
	case "version", "--version", "-version":
		fmt.Println(readBuildInfo())
		return
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "hoard: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if errors.Is(err, errHelpShown) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hoard:", err)
		os.Exit(1)
	}
}

// ttlClasses lists the metadata TTL classes of a built-in format.
func ttlClasses(format string) []string {
	if f, ok := builtinFormats()[format].(formats.TTLClasser); ok {
		return f.TTLClasses()
	}
	return nil
}
