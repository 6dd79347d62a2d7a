package harness

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// verdaccioBin finds the Verdaccio that .ci/install-npm installs.
func verdaccioBin(configured string) string {
	if configured != "" {
		return configured
	}
	dir := os.Getenv("HOARD_NPM_DIR")
	if dir == "" {
		dir = "/opt/hoard-ci/npm"
	}
	return filepath.Join(dir, "node_modules", ".bin", "verdaccio")
}

// verdaccioConf proxies every package to the origin's npm/ tree, keeping what it
// fetched for an hour: a caching npm mirror, as Hoard's npm mount is.
const verdaccioConf = `storage: %[1]s/storage
uplinks:
  origin:
    url: http://%[2]s/npm/
    maxage: 1h
    timeout: 60s
    cache: true
packages:
  '@*/*':
    access: $all
    proxy: origin
  '**':
    access: $all
    proxy: origin
web:
  enable: false
server:
  keepAliveTimeout: 120
log: {type: stdout, format: pretty, level: warn}
`

// startVerdaccio starts Verdaccio as a caching proxy of the origin's npm
// documents; nil, nil when it is not wanted.
func (h *harness) startVerdaccio(originAddr string) (*Server, error) {
	if h.cfg.Verdaccio == "-" {
		return nil, nil
	}
	bin := verdaccioBin(h.cfg.Verdaccio)
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s not found (bash .ci/install-npm installs it)", bin)
	}
	dir := filepath.Join(h.cfg.WorkDir, "verdaccio")
	if err := os.MkdirAll(filepath.Join(dir, "storage"), 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(verdaccioConf, dir, originAddr)), 0o644); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	bin, args := h.place.command(bin, []string{"--config", conf, "--listen", addr})
	p, err := start("verdaccio", filepath.Join(dir, "verdaccio.log"), bin, args, []string{"NODE_ENV=production"})
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(p, "http://"+addr+"/-/ping", 60*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return &Server{Name: "verdaccio", Addr: addr, Proc: p, Path: npmOnly}, nil
}

// npmOnly maps the origin's npm documents and tarballs (NAME/-/FILE) to
// Verdaccio's root; nothing else.
func npmOnly(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/npm/")
	if !ok {
		return "", false
	}
	if name, file, ok := strings.Cut(rest, "/-/"); ok && name != "" && !strings.Contains(name, "/") && file != "" && !strings.Contains(file, "/") {
		return "/" + rest, true
	}
	if rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	return "/" + rest, true
}
