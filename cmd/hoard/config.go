package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"hoard/configs"
)

const configUsage = `usage:
  hoard config print [the flags of hoard serve]

Prints the configuration hoard serve would run with: the built-in defaults, the
--config file and the flags merged, with what github.url derives filled in.
Credentials are masked.
`

func configCmd(args []string) error {
	if len(args) == 0 || args[0] != "print" {
		return errors.New(configUsage)
	}
	cfg, _, err := parseServe(args[1:])
	if err != nil {
		return err
	}
	return printConfig(os.Stdout, cfg)
}

// printConfig writes cfg as YAML that --config accepts, with credentials masked. A
// credential given in a --mount URL is never printed; env: and file: references name
// where a secret is, not the secret, and are shown.
func printConfig(w io.Writer, cfg configs.Config) error {
	out := cfg
	out.Mounts = append([]configs.Mount(nil), cfg.Mounts...)
	for i, m := range out.Mounts {
		if m.InlineCredential != "" {
			out.Mounts[i].Credential = maskedCredential
		}
	}
	for _, name := range cfg.Dropped {
		fmt.Fprintf(w, "# mount %s left out: %s does not offer its format\n", name, cfg.GitHub.URL)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return err
	}
	return enc.Close()
}

// maskedCredential stands for a credential given in a --mount URL.
const maskedCredential = "(from the --mount URL, masked)"
