package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"hoard/policy"
)

const tokenUsage = `usage:
  hoard token create --data-dir DIR --name NAME --scopes read:packages[,write:packages,delete:packages] [--namespaces PATTERNS] [--expires 30d]
  hoard token list   --data-dir DIR
  hoard token revoke --data-dir DIR --name NAME

Local tokens are for --auth local. The token is printed once; only its hash is kept.
These commands work while a daemon serves the same data directory; it picks changes
up within seconds.
`

func token(args []string) error {
	if len(args) == 0 {
		return errors.New(tokenUsage)
	}
	fs := flag.NewFlagSet("token "+args[0], flag.ContinueOnError)
	dataDir := fs.String("data-dir", "./hoard-data", "the daemon's data directory")
	name := fs.String("name", "", "the token's name, shown in audit lines")
	scopes := fs.String("scopes", "read:packages", "comma-separated scopes")
	namespaces := fs.String("namespaces", "", "comma-separated package patterns this token may read offline (private content)")
	expires := fs.String("expires", "", "lifetime, such as 30d or 12h; empty: never")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "create":
		ttl, err := parseLifetime(*expires)
		if err != nil {
			return err
		}
		tok, err := policy.CreateToken(*dataDir, *name, scopeList(*scopes), splitList(*namespaces), ttl)
		if err != nil {
			return err
		}
		fmt.Println(tok)
		return nil
	case "list":
		return listTokens(*dataDir)
	case "revoke":
		return policy.RevokeToken(*dataDir, *name)
	}
	return errors.New(tokenUsage)
}

func listTokens(dataDir string) error {
	tokens, err := policy.ListTokens(dataDir)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPES\tNAMESPACES\tCREATED\tEXPIRES")
	for _, t := range tokens {
		exp := "never"
		if !t.Expires.IsZero() {
			exp = t.Expires.Format(time.RFC3339)
		}
		sc := make([]string, len(t.Scopes))
		for i, s := range t.Scopes {
			sc[i] = string(s)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, strings.Join(sc, ","), strings.Join(t.Namespaces, ","), t.Created.Format(time.RFC3339), exp)
	}
	return tw.Flush()
}

// parseLifetime accepts Go durations and whole days ("30d").
func parseLifetime(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(d, "%d", &n); err != nil || n <= 0 {
			return 0, fmt.Errorf("--expires %q: want a number of days like 30d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("--expires %q: want a lifetime like 30d or 12h", s)
	}
	return v, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func scopeList(s string) []policy.Scope {
	var out []policy.Scope
	for _, p := range splitList(s) {
		out = append(out, policy.Scope(p))
	}
	return out
}
