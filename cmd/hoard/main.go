// Command hoard is a caching gateway for package registries.
//
//	hoard serve [flags]     run the daemon
//	hoard verify --data-dir DIR   re-hash every cached blob, drop corrupt ones
//	hoard gc --data-dir DIR       remove blobs no index entry references
//	hoard token create|list|revoke  local tokens for --auth local
//	hoard config print [serve flags]  the effective configuration
//	hoard health                  exit 0 if the daemon answers /healthz
//	hoard ca export               the forward proxy's CA certificate, for clients
//	hoard warm FILE...            fetch what lockfiles and image lists name
//	hoard export --out FILE       a bundle of cached entries
//	hoard import FILE             verify a bundle and publish its entries
//	hoard keygen --out FILE       a key pair to sign bundles with
//
// Arguments that start with a flag are serve's (hoard --offline is hoard serve
// --offline), and every flag may come from the environment as HOARD_<FLAG>.
package main

import (
	"errors"
	"fmt"
	"os"

	"hoard/formats"
	"hoard/formats/builtin"
)

// builtinFormats are the protocols this binary speaks, by configuration name.
func builtinFormats() map[string]formats.Format { return builtin.Formats() }

const usage = `usage: hoard <command> [flags]

commands:
  serve      run the caching gateway (see hoard serve -h)
  verify     re-hash every cached blob and drop corrupt ones (daemon stopped)
  gc         remove cached blobs that nothing references (daemon stopped)
  gc-shared  remove shared-bucket blobs no entry references (nodes may run)
  token      create, list and revoke local tokens (for --auth local)
  config     print the effective configuration: hoard config print [serve flags]
  health     exit 0 if the daemon answers /healthz (a container's HEALTHCHECK)
  ca         hoard ca export: the forward proxy's CA certificate, for clients to trust
  warm       fetch everything lockfiles and image lists name (daemon running)
  export     write a bundle of cached entries for an air-gapped site (daemon running)
  import     verify a bundle and publish its entries (daemon running)
  ls         list cached entries: hoard ls [--mount NAME] [PATTERN] (daemon running)
  purge      remove cached entries: hoard purge --mount NAME PATTERN (daemon running)
  stats      hit ratio, traffic and upstream health per mount (daemon running)
  pin        keep entries from eviction: hoard pin --mount NAME PATTERN (daemon running)
  unpin      let eviction remove pinned entries again (daemon running)
  keygen     make an ed25519 key pair to sign and verify bundles
  version    print the version and commit (also: hoard --version)

Each command's flags and their defaults: hoard <command> -h
`

func main() {
	args := entryArgs(os.Args[1:])
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(args[1:])
	case "verify":
		err = verify(args[1:])
	case "gc-shared":
		err = gcShared(args[1:])
	case "gc":
		err = gc(args[1:])
	case "token":
		err = token(args[1:])
	case "config":
		err = configCmd(args[1:])
	case "health":
		err = health(args[1:])
	case "ca":
		err = caCmd(args[1:])
	case "warm":
		err = warmCmd(args[1:])
	case "export":
		err = exportCmd(args[1:])
	case "import":
		err = importCmd(args[1:])
	case "keygen":
		err = keygenCmd(args[1:])
	case "ls":
		err = lsCmd(args[1:])
	case "purge":
		err = purgeCmd(args[1:])
	case "pin":
		err = pinCmd(args[1:])
	case "stats":
		err = statsCmd(args[1:])
	case "unpin":
		err = unpinCmd(args[1:])
	case "version", "--version", "-version":
		fmt.Println(readBuildInfo())
		return
	case "-h", "--help", "help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprintf(os.Stderr, "hoard: unknown command %q\n\n%s", args[0], usage)
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
