package harness

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Server is one system under test, reached at Addr, serving the benchmark's
// content at the paths it maps. Proc is nil for the origin when it is only read
// directly (its own figures are not compared).
type Server struct {
	Name string
	Addr string
	Proc *Proc
	// Path maps a benchmark path to this server's, and reports false for content
	// the server does not serve (Verdaccio serves npm documents only).
	Path  func(p string) (string, bool)
	pprof string // Hoard's --pprof listener, when started with one
}

func samePath(p string) (string, bool) { return p, true }

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitHTTP polls url until it answers 200, the process exits or within passes.
func waitHTTP(p *Proc, url string, within time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if p != nil && p.Exited() {
			return fmt.Errorf("%s exited; log:\n%s", p.Name, p.Tail(20))
		}
		if resp, err := client.Get(url); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s: %s not ready within %v", p.Name, url, within)
}

// binaries are the programs the harness builds from this module.
type binaries struct{ hoard, origin, goStatic string }

// buildBinaries compiles hoard, the origin and the Go anchor into dir from the
// module at root.
func buildBinaries(ctx context.Context, root, dir string) (binaries, error) {
	b := binaries{hoard: filepath.Join(dir, "hoard"), origin: filepath.Join(dir, "origin"), goStatic: filepath.Join(dir, "gostatic")}
	for _, t := range []struct{ out, pkg string }{{b.hoard, "./cmd/hoard"}, {b.origin, "./bench/cmd/origin"}, {b.goStatic, "./bench/cmd/gostatic"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", t.out, t.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return binaries{}, fmt.Errorf("go build %s: %v\n%s", t.pkg, err, out)
		}
	}
	return b, nil
}

// startGoStatic runs the Go anchor: net/http alone serving root's small files
// from memory (bench/cmd/gostatic).
func startGoStatic(place placement, bin, addr, root, logPath, probe string) (*Server, error) {
	bin, args := place.command(bin, []string{"-listen", addr, "-root", root})
	p, err := start("go-static", logPath, bin, args, nil)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(p, "http://"+addr+probe, 10*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return &Server{Name: "go-static", Addr: addr, Proc: p, Path: samePath}, nil
}

// originOptions configure the local upstream.
type originOptions struct {
	Bin     string
	Root    string
	Addr    string
	Latency time.Duration
	Rate    int64 // bytes per second per response; 0 unlimited
	// FullSpeed are path prefixes served unpaced; DirIndex the file served for a
	// directory (see origin.Options).
	FullSpeed []string
	DirIndex  string
	Log       string
}

func startOrigin(o originOptions) (*Server, error) {
	p, err := start("origin", o.Log, o.Bin, []string{
		"-listen", o.Addr, "-root", o.Root, "-latency", o.Latency.String(),
		"-bytes-per-second", strconv.FormatInt(o.Rate, 10),
		"-full-speed", strings.Join(o.FullSpeed, ","), "-dir-index", o.DirIndex,
	}, nil)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(p, "http://"+o.Addr+"/-/requests", 10*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return &Server{Name: "origin", Addr: o.Addr, Proc: p, Path: func(p string) (string, bool) { return p, !isOCI(p) }}, nil
}

// originRequests asks the origin how many requests it has had for path.
func originRequests(addr, path string) (int64, error) {
	resp, err := http.Get("http://" + addr + "/-/requests?path=" + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// hoardOptions start one Hoard.
type hoardOptions struct {
	Bin, DataDir, Addr, OriginAddr, Log string
	Pprof                               string // listen address for --pprof, or ""
	Extra                               []string
	Place                               placement
}

func hoardArgs(o hoardOptions) []string {
	args := []string{"serve", "--auth", "none", "--admin-listen", "off", "--listen", o.Addr, "--data-dir", o.DataDir,
		"--public-url", "http://" + o.Addr,
		"--mount", "maven=maven,http://" + o.OriginAddr + "/maven",
		"--mount", "npm=npm,http://" + o.OriginAddr + "/npm",
		"--mount", "rubygems=rubygems,http://" + o.OriginAddr + "/rubygems",
		"--mount", "nuget=nuget,http://" + o.OriginAddr + "/nuget/v3/index.json",
	}
	if o.Pprof != "" {
		args = append(args, "--pprof", o.Pprof)
	}
	return append(args, o.Extra...)
}

// startHoard runs hoard serve and waits for /readyz; it returns how long that took.
func startHoard(name string, o hoardOptions) (*Server, time.Duration, error) {
	began := time.Now()
	bin, args := o.Place.command(o.Bin, hoardArgs(o))
	p, err := start(name, o.Log, bin, args, nil)
	if err != nil {
		return nil, 0, err
	}
	if err := waitHTTP(p, "http://"+o.Addr+"/readyz", 60*time.Second); err != nil {
		p.Stop()
		return nil, 0, err
	}
	return &Server{Name: name, Addr: o.Addr, Proc: p, Path: samePath}, time.Since(began), nil
}

// nginxConf is the configuration of one nginx: static serving of root, or a
// caching reverse proxy in front of origin with proxy_cache_lock (one upstream
// fetch per key; the others wait for it to finish).
func nginxConf(prefix, addr, root, origin, workers string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `worker_processes %[2]s;
user root;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log %[1]s/access.log;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 120s;
  keepalive_requests 10000000;
  default_type application/octet-stream;
  client_body_temp_path %[1]s/client_body;
  proxy_temp_path %[1]s/proxy_temp;
  fastcgi_temp_path %[1]s/fastcgi_temp;
  uwsgi_temp_path %[1]s/uwsgi_temp;
  scgi_temp_path %[1]s/scgi_temp;
`, prefix, workers)
	if origin != "" {
		fmt.Fprintf(&b, `  proxy_cache_path %[1]s/cache levels=1:2 keys_zone=bench:16m max_size=20g inactive=7d use_temp_path=off;
  upstream origin { server %[2]s; keepalive 32; }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      proxy_cache_valid 200 1h;
      proxy_cache_lock on;
      proxy_cache_lock_timeout 60s;
      proxy_cache_lock_age 60s;
      add_header X-Cache $upstream_cache_status;
    }
  }
}
`, prefix, origin, addr)
	} else {
		fmt.Fprintf(&b, `  server {
    listen %[1]s;
    root %[2]s;
    # An npm document whose directory holds its tarballs is kept in it (docFile).
    location / { try_files $uri $uri/%[3]s =404; }
  }
}
`, addr, root, docFile)
	}
	return b.String()
}

// startNginx runs nginx in the foreground (its master is our child) with a
// configuration of its own under prefix.
func startNginx(place placement, name, prefix, addr, root, origin, probe string) (*Server, error) {
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(conf, []byte(nginxConf(prefix, addr, root, origin, place.workers())), 0o644); err != nil {
		return nil, err
	}
	bin, err := exec.LookPath("nginx")
	if err != nil {
		return nil, fmt.Errorf("nginx is not installed (bash .ci/install-bench): %w", err)
	}
	bin, args := place.command(bin, []string{"-p", prefix, "-c", conf, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off;"})
	p, err := start(name, filepath.Join(prefix, "stderr.log"), bin, args, nil)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(p, "http://"+addr+probe, 10*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return &Server{Name: name, Addr: addr, Proc: p, Path: samePath}, nil
}
