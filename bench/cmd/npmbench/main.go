// Command npmbench measures warm npm hits: Hoard serving a packument (abbreviated
// form) and a tarball from its cache, beside Verdaccio serving the same documents
// from its own storage, on this machine in the same run. It starts a Verdaccio (from
// .ci/install-npm) with one published package, a hoard in front of it behind a
// counting proxy, warms hoard, then drives each server in turn with keep-alive
// connections for a fixed duration and prints requests per second and latency
// percentiles. Everything listens on 127.0.0.1 and is stopped at the end.
//
//	go build -o /tmp/hoard ./cmd/hoard && go run ./bench/cmd/npmbench -hoard /tmp/hoard
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"hoard/bench/loadgen"
	"hoard/bench/npmreg"
)

const abbrev = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"

func main() {
	hoardBin := flag.String("hoard", "", "hoard binary (go build -o /tmp/hoard ./cmd/hoard)")
	verdaccio := flag.String("verdaccio", filepath.Join(npmreg.ToolsBin(), "verdaccio"), "verdaccio executable")
	duration := flag.Duration("d", 10*time.Second, "duration of each measurement")
	conc := flag.Int("c", 16, "concurrent keep-alive connections")
	versions := flag.Int("versions", 30, "versions published (the packument grows with them)")
	tarballKB := flag.Int("tarball-kb", 256, "incompressible bytes in each tarball")
	flag.Parse()
	if *hoardBin == "" {
		fatal(fmt.Errorf("-hoard is required"))
	}
	if err := run(*hoardBin, *verdaccio, *duration, *conc, *versions, *tarballKB<<10); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "npmbench:", err)
	os.Exit(1)
}

func run(hoardBin, verdaccioBin string, d time.Duration, conc, versions, padding int) error {
	work, err := os.MkdirTemp("", "npmbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	v, err := npmreg.StartVerdaccio(verdaccioBin, filepath.Join(work, "verdaccio"))
	if err != nil {
		return err
	}
	defer v.Stop()
	ctx := context.Background()
	token, err := npmreg.AddUser(ctx, v.URL, "bench", "bench-secret")
	if err != nil {
		return err
	}
	const name = "bench-pkg"
	for i := range versions {
		p := npmreg.Package{Name: name, Version: fmt.Sprintf("1.0.%d", i), Padding: padding,
			Dependencies: map[string]string{"left-pad": "^1.0.0", "@bench/util": "~2.1.0"}}
		if err := npmreg.Publish(ctx, v.URL, token, p); err != nil {
			return err
		}
	}
	counter, err := npmreg.StartCounter(v.URL)
	if err != nil {
		return err
	}
	defer counter.Close()
	hoardURL, stop, err := startHoard(hoardBin, filepath.Join(work, "hoard"), counter.URL)
	if err != nil {
		return err
	}
	defer stop()

	packument, tarball := "/"+name, "/"+name+"/-/"+name+"-1.0.0.tgz"
	targets := []struct{ server, doc, url, accept string }{
		{"verdaccio", "packument", v.URL + packument, abbrev},
		{"hoard", "packument", hoardURL + "/npm" + packument, abbrev},
		{"verdaccio", "tarball", v.URL + tarball, ""},
		{"hoard", "tarball", hoardURL + "/npm" + tarball, ""},
	}
	for _, t := range targets { // warm both, and check hoard answers from its cache
		if err := warm(t.url, t.accept, t.server == "hoard"); err != nil {
			return err
		}
	}
	counter.Reset()
	fmt.Printf("npm warm hits, %d connections, %v each, %d versions, %d KiB tarball; loopback, %s\n",
		conc, d, versions, padding>>10, time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("%-10s %-10s %10s %10s %10s %10s %10s %7s\n", "server", "document", "req/s", "p50", "p99", "max", "MB/s", "errors")
	for _, t := range targets {
		addr := strings.TrimPrefix(t.url, "http://")
		host, path, _ := strings.Cut(addr, "/")
		header := ""
		if t.accept != "" {
			header = "Accept: " + t.accept + "\r\n"
		}
		st, err := loadgen.Run(ctx, loadgen.Options{Addr: host, Paths: []string{"/" + path}, Header: header, Concurrency: conc, Duration: d})
		if err != nil {
			return err
		}
		fmt.Printf("%-10s %-10s %10.0f %10s %10s %10s %10.1f %7d\n", t.server, t.doc, st.RPS(),
			ms(st.Latency.Quantile(0.5)), ms(st.Latency.Quantile(0.99)), ms(st.Latency.Max()), st.MBps(), st.Errors)
		if st.FirstError != "" {
			fmt.Printf("  first error: %s\n", st.FirstError)
		}
	}
	fmt.Printf("upstream requests made by hoard during its measurements: %d\n", len(counter.Requests()))
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/1e6) }

// warm fetches url once; hoard's until it answers from its cache (a request that
// arrives while the first fill commits still joins that fill).
func warm(url, accept string, hoard bool) error {
	for i := 0; i < 20; i++ {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("warming %s: status %d", url, resp.StatusCode)
		}
		if !hoard || resp.Header.Get("X-Hoard-Cache") == "hit" {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("warming %s: hoard never answered from its cache", url)
}

// startHoard runs hoard with one npm mount on upstream and returns its URL and a
// function that stops it (SIGTERM to its own PID).
func startHoard(bin, dir, upstream string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	cfg := filepath.Join(dir, "hoard.yaml")
	body := "data_dir: " + filepath.Join(dir, "data") + "\nmounts:\n  - name: npm\n    format: npm\n    upstream: \"" + upstream +
		"\"\n    ttl: {packument: 1h}\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		return "", nil, err
	}
	addr, err := npmreg.FreeAddr()
	if err != nil {
		return "", nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "hoard.log"))
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(bin, "serve", "--config", cfg, "--listen", addr, "--admin-listen", "off", "--auth", "none", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); logf.Close(); close(done) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	url := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(url + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return url, stop, nil
			}
		}
	}
	stop()
	return "", nil, fmt.Errorf("hoard did not become ready; see %s", filepath.Join(dir, "hoard.log"))
}
