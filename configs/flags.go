package configs

import (
	"fmt"
	"strings"
)

// ParseMountFlag reads the --mount value NAME=FORMAT,UPSTREAM_URL.
func ParseMountFlag(v string) (Mount, error) {
	name, rest, ok := strings.Cut(v, "=")
	format, upstream, ok2 := strings.Cut(rest, ",")
	if !ok || !ok2 || name == "" || format == "" || upstream == "" {
		return Mount{}, fmt.Errorf("--mount %q: want NAME=FORMAT,UPSTREAM_URL", v)
	}
	return Mount{Name: name, Format: format, Upstream: upstream}, nil
}
