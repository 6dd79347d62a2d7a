// Package harness runs Hoard's comparative benchmark: it starts a local origin,
// Hoard in front of it, and the systems a user would pick instead (nginx serving
// the same files, nginx with proxy_cache, Verdaccio, the CNCF registry), drives
// them all with the same load generator in one run, and writes the results as a
// Markdown report with every figure also given as a ratio to static nginx.
package harness

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"hoard/bench/loadgen"
	"hoard/cache"
)

// Config is the whole run. Zero values take the defaults in Defaults.
type Config struct {
	Root       string        // module root, where go build runs
	WorkDir    string        // data, caches, logs, profiles; created
	Out        string        // the Markdown report; "" prints it only
	Duration   time.Duration // each measured load run
	Warmup     time.Duration // unmeasured run before each measured one
	Latency    time.Duration // origin delay per request
	OriginRate int64         // origin bytes per second per response
	BlobBytes  int64         // size of the large and herd blobs
	Herd       int           // clients in the herd
	Cold       int           // cold fetches per kind of small content
	ColdBlobs  int           // cold fetches of the large blob, paced and unpaced each
	ColdDocs   int           // cold fetches of the 5 MB and of the 20 MB npm documents each
	Runs       int           // rounds of the warm and herd scenarios, each figure their median; 0 means 1
	Conc       []int         // concurrencies of the small-content runs
	BlobConc   int           // concurrency of the large-blob run
	Scale      []int         // index sizes for the scale scenario; empty skips it
	Only       []string      // scenarios to run (warm-small, warm-large, warm-doc, cold, herd, scale); empty: all
	Profile    bool          // start Hoard with --pprof and save a CPU profile of every Hoard run
	Pin        bool          // keep the load generator and the servers under test on separate CPUs (see placement)
	Verdaccio  string        // verdaccio executable; "" looks in the usual place, "-" skips it
	Registry   string        // CNCF registry executable; "" looks in the usual place, "-" skips OCI
	Log        io.Writer     // progress
	Commit     string        // for the report; found with git when empty
}

// Defaults is a full run: about sixteen minutes on a 2-core machine.
func Defaults() Config {
	return Config{
		Duration: 5 * time.Second, Warmup: time.Second, Latency: 20 * time.Millisecond,
		OriginRate: 100 << 20, BlobBytes: 50 << 20, Herd: 200, Cold: 15, ColdBlobs: 3, ColdDocs: 3,
		Runs: 3, Conc: []int{16, 64}, BlobConc: 4, Scale: []int{1000, 1_000_000}, Pin: true,
	}
}

// runCount is how many rounds the warm and herd scenarios run.
func (c Config) runCount() int { return max(c.Runs, 1) }

type harness struct {
	cfg      Config
	bin      binaries
	origin   *Server
	servers  []*Server // in report order: nginx-static first
	extra    []*Proc   // helpers (the upstream registry), stopped at the end
	oci      *ociData  // what was pushed to the upstream registry; nil without OCI
	ociUp    *Server   // the upstream registry through its slow proxy, read directly
	ociSlow  *slowProxy
	ociTok   *slowProxy // the same upstream registry behind the token flow
	ociTokUp *Server    // it, read directly
	regTok   *Server    // the CNCF registry in proxy mode in front of ociTok
	byName   map[string]*Server
	rep      *report
	place    placement
}

func (h *harness) logf(format string, a ...any) {
	if h.cfg.Log != nil {
		fmt.Fprintf(h.cfg.Log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
}

func (h *harness) want(scenario string) bool {
	if len(h.cfg.Only) == 0 {
		return true
	}
	for _, s := range h.cfg.Only {
		if s == scenario {
			return true
		}
	}
	return false
}

// Run runs the benchmark and writes the report.
func Run(ctx context.Context, cfg Config) error {
	h := &harness{cfg: cfg, byName: map[string]*Server{}}
	h.rep = newReport(cfg)
	defer h.stopAll()
	if err := h.setUp(ctx); err != nil {
		return err
	}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"warm-small", h.warmSmall}, {"warm-large", h.warmLarge}, {"warm-doc", h.warmDoc}, {"cold", h.cold}, {"herd", h.herd},
	}
	for _, st := range steps {
		if !h.want(st.name) {
			continue
		}
		h.logf("scenario %s", st.name)
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	h.rep.idle = map[string]int64{}
	for _, s := range h.servers {
		h.rep.idle[s.Name] = RSS(s.Proc.PID())
	}
	if h.want("scale") && len(cfg.Scale) > 0 {
		h.stopAll() // the scale runs have the machine to themselves
		h.logf("scenario scale")
		if err := h.scale(ctx); err != nil {
			return fmt.Errorf("scale: %w", err)
		}
	}
	md := h.rep.markdown()
	if cfg.Out != "" {
		if err := os.WriteFile(cfg.Out, []byte(md), 0o644); err != nil {
			return err
		}
		h.logf("wrote %s", cfg.Out)
	} else {
		fmt.Print(md)
	}
	return nil
}

func (h *harness) stopAll() {
	for _, s := range h.servers {
		s.Proc.Stop()
	}
	if h.origin != nil {
		h.origin.Proc.Stop()
	}
	if h.ociSlow != nil {
		h.ociSlow.Close()
	}
	if h.ociTok != nil {
		h.ociTok.Close()
	}
	for _, p := range h.extra {
		p.Stop()
	}
}

func (h *harness) setUp(ctx context.Context) error {
	cfg := h.cfg
	if err := os.MkdirAll(cfg.WorkDir, 0o755); err != nil {
		return err
	}
	for _, d := range []string{"origin", "hoard", "nginx-static", "nginx-cache", "verdaccio", "registry-upstream", "registry-proxy", "registry-proxy-token", "bin", "logs"} {
		if err := os.RemoveAll(filepath.Join(cfg.WorkDir, d)); err != nil {
			return err
		}
	}
	h.logf("building hoard and the origin")
	var err error
	h.bin, err = buildBinaries(ctx, cfg.Root, filepath.Join(cfg.WorkDir, "bin"))
	if err != nil {
		return err
	}
	// Pinned after the builds (which would inherit it), before the first
	// upstream starts (which must).
	if h.place, err = planPlacement(cfg.Pin); err != nil {
		return err
	}
	if err := h.place.pinHarness(); err != nil {
		return err
	}
	h.rep.placement = h.place.describe()
	logs := filepath.Join(cfg.WorkDir, "logs")
	os.MkdirAll(logs, 0o755)
	originAddr, err := freeAddr()
	if err != nil {
		return err
	}
	root := filepath.Join(cfg.WorkDir, "origin")
	h.logf("writing the origin's files")
	if err := writeData(root, dataSpec{BlobBytes: cfg.BlobBytes, ColdMeta: cfg.Cold, ColdBlobs: cfg.ColdBlobs, ColdDocs: cfg.ColdDocs, HerdBlobs: cfg.runCount(), OriginURL: "http://" + originAddr}); err != nil {
		return err
	}
	if cfg.Registry != "-" {
		h.logf("pushing the OCI images to an upstream registry")
		if h.ociSlow, err = h.setUpOCI(ctx, root); err != nil {
			h.logf("OCI: %v (left out)", err)
			h.rep.notes = append(h.rep.notes, "The OCI comparison was left out: "+firstLine(err.Error()))
			h.oci, h.ociSlow, h.ociTok, h.ociTokUp = nil, nil, nil, nil
		}
	}
	h.origin, err = startOrigin(originOptions{Bin: h.bin.origin, Root: root, Addr: originAddr, Latency: cfg.Latency, Rate: cfg.OriginRate,
		FullSpeed: unpaced, DirIndex: docFile, Log: filepath.Join(logs, "origin.log")})
	if err != nil {
		return err
	}

	add := func(s *Server, err error) error {
		if err != nil {
			return err
		}
		h.servers = append(h.servers, s)
		h.byName[s.Name] = s
		return nil
	}
	addr, _ := freeAddr()
	if err := add(startNginx(h.place, "nginx-static", filepath.Join(cfg.WorkDir, "nginx-static"), addr, root, "", pathMeta1K)); err != nil {
		return err
	}
	withOCI := h.oci != nil
	h.servers[0].Path = func(p string) (string, bool) { return p, !isOCI(p) || (p == pathOCITag && withOCI) }
	addr, _ = freeAddr()
	if err := add(startNginx(h.place, "nginx-cache", filepath.Join(cfg.WorkDir, "nginx-cache"), addr, "", originAddr, pathMeta1K)); err != nil {
		return err
	}
	h.servers[1].Path = func(p string) (string, bool) { return p, !isOCI(p) }
	addr, _ = freeAddr()
	if err := add(startGoStatic(h.place, h.bin.goStatic, addr, root, filepath.Join(logs, "go-static.log"), pathMeta1K)); err != nil {
		return err
	}
	h.servers[2].Path = func(p string) (string, bool) {
		return p, p == pathMeta1K || p == pathDoc200K || (p == pathOCITag && withOCI)
	}
	addr, _ = freeAddr()
	ho := hoardOptions{Bin: h.bin.hoard, DataDir: filepath.Join(cfg.WorkDir, "hoard"), Addr: addr, OriginAddr: originAddr, Log: filepath.Join(logs, "hoard.log"), Place: h.place}
	if cfg.Profile {
		ho.Pprof, _ = freeAddr()
	}
	if h.ociSlow != nil {
		ho.Extra = append(ho.Extra, "--mount", "oci=oci,http://"+h.ociSlow.Addr, "--mount", "ocitok=oci,http://"+h.ociTok.Addr)
	}
	hs, _, err := startHoard("hoard", ho)
	if err := add(hs, err); err != nil {
		return err
	}
	hs.pprof = ho.Pprof
	oci := h.oci
	hs.Path = func(p string) (string, bool) {
		if isTokenPath(p) {
			return oci.v2Path(p, "ocitok/")
		}
		if isOCI(p) {
			return oci.v2Path(p, "oci/")
		}
		return p, true
	}
	if v, err := h.startVerdaccio(originAddr); err != nil {
		h.logf("verdaccio: %v (left out)", err)
		h.rep.notes = append(h.rep.notes, "Verdaccio was left out: "+firstLine(err.Error()))
	} else if v != nil {
		h.servers = append(h.servers, v)
		h.byName[v.Name] = v
	}
	if h.ociSlow != nil {
		if r, err := h.startRegistryProxy(h.ociSlow, "registry-proxy"); err != nil {
			h.logf("registry-proxy: %v (left out)", err)
			h.rep.notes = append(h.rep.notes, "The CNCF registry in proxy mode was left out: "+firstLine(err.Error()))
		} else {
			h.servers = append(h.servers, r)
			h.byName[r.Name] = r
		}
		// A second one for the upstream behind the token flow, in the cold rows only.
		if r, err := h.startRegistryProxy(h.ociTok, "registry-proxy-token"); err != nil {
			h.logf("registry-proxy in front of the token flow: %v (left out)", err)
			h.rep.notes = append(h.rep.notes, "The CNCF registry in proxy mode has no token-flow row: "+firstLine(err.Error()))
		} else {
			h.regTok = r
			h.extra = append(h.extra, r.Proc)
		}
	}
	h.rep.servers = nil
	for _, s := range h.servers {
		h.rep.servers = append(h.rep.servers, s.Name)
	}
	return h.prime()
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// prime fetches every warm path through each server until the server says it
// answered from its cache (a few tries: an answer may leave before its commit,
// so the next fetch can still share the fill), so the warm runs measure hits.
func (h *harness) prime() error {
	client := &http.Client{Timeout: 2 * time.Minute}
	for _, s := range h.servers {
		for _, p := range []string{pathMeta1K, pathDoc200K, pathDoc20M, pathBlob, pathOCITag, pathOCIBlob, pathGem, pathGemInfo, pathVersions, pathNupkg, pathNuVersions, pathNuReg} {
			mp, ok := s.Path(p)
			if !ok {
				continue
			}
			if err := primeOne(client, s, mp, itemHeader(p)); err != nil {
				return err
			}
			h.logf("primed %s %s", s.Name, mp)
		}
	}
	return nil
}

// primeTries bounds the fetches of one path while priming: a blob's commit
// (its fsync on a busy disk) may take a few seconds after its first fetch, and
// until then it is answered from its fill, not yet a hit.
const primeTries = 40

func primeOne(client *http.Client, s *Server, mp, header string) error {
	result := ""
	for i := 0; i < primeTries; i++ {
		if i > 1 {
			time.Sleep(100 * time.Millisecond)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.Addr+mp, nil)
		for _, line := range strings.Split(strings.TrimSpace(header), "\r\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				req.Header.Set(k, v)
			}
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.Name, mp, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
			return fmt.Errorf("%s %s: status %d", s.Name, mp, resp.StatusCode)
		}
		result = resp.Header.Get("X-Hoard-Cache") + resp.Header.Get("X-Cache")
		if i > 0 && (result == "" || strings.EqualFold(result, "hit")) {
			return nil // a hit, or a server that does not say
		}
	}
	return fmt.Errorf("%s %s: still a %s after %d fetches", s.Name, mp, result, primeTries)
}

// warmSmall: cached small content at each concurrency, every server once per
// round.
func (h *harness) warmSmall(ctx context.Context) error {
	for _, item := range []string{pathMeta1K, pathDoc200K, pathOCITag, pathGem, pathGemInfo, pathVersions, pathNupkg, pathNuVersions, pathNuReg} {
		for _, c := range h.cfg.Conc {
			for round := range h.cfg.runCount() {
				if err := h.warmSmallRound(ctx, item, c, round); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (h *harness) warmSmallRound(ctx context.Context, item string, c, round int) error {
	for _, s := range h.servers {
		if _, ok := s.Path(item); !ok {
			continue
		}
		res, err := h.measure(ctx, s, []string{item}, c, true, h.profileName(s, fmt.Sprintf("warm-%s-c%d-run%d", strings.ReplaceAll(itemName(item), " ", "-"), c, round+1)))
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		h.logf("%-12s %-8s c=%-3d run %d: %8.0f rps p50 %v p99 %v cpu %.1f us/req errors %d", s.Name, itemName(item), c, round+1,
			res.Stats.RPS(), res.Stats.Latency.Quantile(0.5), res.Stats.Latency.Quantile(0.99), res.CPUPerReq(), res.Stats.Errors)
		h.rep.small = append(h.rep.small, loadRow{item: itemName(item), conc: c, server: s.Name, round: round, res: res})
	}
	return nil
}

func itemName(p string) string {
	switch p {
	case pathMeta1K:
		return "1 KB"
	case pathDoc200K:
		return "200 KB"
	case pathOCITag:
		return "OCI manifest by tag"
	case pathBlob, pathHerd:
		return "blob"
	case pathOCIBlob, pathOCIHerd:
		return "OCI layer"
	case pathDoc20M:
		return "20 MB packument"
	case pathGem:
		return ".gem 100 KB"
	case pathGemInfo:
		return "/info/NAME"
	case pathVersions:
		return "/versions Range"
	case pathNupkg:
		return "NuGet .nupkg 100 KB"
	case pathNuVersions:
		return "NuGet versions index"
	case pathNuReg:
		return "NuGet registration page"
	case pathNuHerd:
		return "NuGet .nupkg 5 MB"
	}
	if isGem(p) && strings.HasSuffix(p, ".gem") {
		return coldGem // a herd's .gem, cold with its /info as in the cold rows
	}
	return p
}

func isOCI(p string) bool { return strings.HasPrefix(p, "/oci/") }

// itemHeader is the request header sent for a benchmark path, the same to every
// server: npm documents are asked for in full, OCI manifests in the types
// clients accept.
func itemHeader(p string) string {
	switch {
	case p == pathVersions:
		return rangeHeader()
	case isOCI(p):
		return ociAccept
	case strings.HasPrefix(p, "/npm/") && !strings.Contains(p, "/-/"):
		return "Accept: application/json\r\n"
	}
	return ""
}

func (h *harness) profileName(s *Server, scenario string) string {
	if !h.cfg.Profile || s.pprof == "" {
		return ""
	}
	return filepath.Join(h.cfg.WorkDir, "profiles", scenario+".pprof")
}

// warmLarge: the cached large blobs at BlobConc, with peak memory. A round
// holds both contents, so static nginx's blob run is in every round the OCI
// layer runs are compared with.
func (h *harness) warmLarge(ctx context.Context) error {
	for round := range h.cfg.runCount() {
		for _, item := range []string{pathBlob, pathOCIBlob} {
			for _, s := range h.servers {
				if _, ok := s.Path(item); !ok {
					continue
				}
				res, err := h.measure(ctx, s, []string{item}, h.cfg.BlobConc, true, h.profileName(s, fmt.Sprintf("warm-%s-run%d", strings.ReplaceAll(itemName(item), " ", "-"), round+1)))
				if err != nil {
					return fmt.Errorf("%s: %w", s.Name, err)
				}
				h.logf("%-12s %s c=%d run %d: %.0f MB/s cpu %.2f s/GB peak RSS %d MB errors %d", s.Name, itemName(item), h.cfg.BlobConc, round+1,
					res.Stats.MBps(), res.CPUPerGB(), res.PeakRSS>>20, res.Stats.Errors)
				h.rep.large = append(h.rep.large, loadRow{item: itemName(item), conc: h.cfg.BlobConc, server: s.Name, round: round, res: res})
			}
		}
	}
	return nil
}

// herd: Herd clients at once for one cold blob, every server once per round;
// each round has blobs of its own, which no server has fetched yet.
func (h *harness) herd(ctx context.Context) error {
	for round := range h.cfg.runCount() {
		for _, item := range []string{pathHerd, pathOCIHerd, pathGemHerd, pathNuHerd} {
			for _, s := range h.servers {
				if err := h.herdOne(ctx, s, item, round); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// upstreamRequests counts what reached the upstream for a benchmark path.
func (h *harness) upstreamRequests(item string) (int64, error) {
	if !isOCI(item) {
		return originRequests(h.origin.Addr, item)
	}
	p, _ := h.oci.v2Path(item, "")
	return h.ociSlow.requests(p), nil
}

func (h *harness) herdOne(ctx context.Context, s *Server, item string, round int) error {
	{
		blob := herdPath(item, round)
		mp, ok := s.Path(blob)
		if !ok || (s.Name == reference && isOCI(item)) {
			return nil
		}
		before, err := h.upstreamRequests(blob)
		if err != nil {
			return err
		}
		pid := s.Proc.PID()
		ResetPeakRSS(pid)
		sampler := sampleAnon(pid)
		cpu0 := CPUSeconds(pid)
		hctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		began := time.Now()
		rs, err := loadgen.Herd(hctx, s.Addr, mp, itemHeader(item), h.cfg.Herd)
		wall := time.Since(began)
		cancel()
		if err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
		cpu := CPUSeconds(pid) - cpu0
		after, err := h.upstreamRequests(blob)
		if err != nil {
			return err
		}
		row := herdRow{item: itemName(item), server: s.Name, round: round, st: summarise(rs), upstream: after - before, wall: wall, cpu: cpu, peak: PeakRSS(pid), peakAnon: sampler.Peak()}
		var bytes int64
		for _, r := range rs {
			bytes += r.Bytes
		}
		row.bytes = bytes
		h.logf("%-12s herd %s run %d: %d/%d ok, upstream %d, ttfb p50 %v p99 %v, total p50 %v p99 %v, wall %v, peak RSS %d MB",
			s.Name, row.item, round+1, row.st.OK, row.st.N, row.upstream, row.st.TTFB50, row.st.TTFB99, row.st.Tot50, row.st.Tot99, wall.Round(time.Millisecond), row.peak>>20)
		h.rep.herd = append(h.rep.herd, row)
	}
	return nil
}

// scale: Hoard alone on data dirs seeded with each index size: start-up time and
// hit latency over keys spread across the whole index.
func (h *harness) scale(ctx context.Context) error {
	for _, n := range h.cfg.Scale {
		dir := filepath.Join(h.cfg.WorkDir, fmt.Sprintf("scale-%d", n))
		if err := h.seeded(dir, n); err != nil {
			return err
		}
		addr, _ := freeAddr()
		ho := hoardOptions{Bin: h.bin.hoard, DataDir: dir, Addr: addr, OriginAddr: "127.0.0.1:9", Log: filepath.Join(h.cfg.WorkDir, "logs", fmt.Sprintf("hoard-scale-%d.log", n)), Place: h.place}
		if h.cfg.Profile {
			ho.Pprof, _ = freeAddr()
		}
		name := fmt.Sprintf("hoard-%d", n)
		s, startup, err := startHoard(name, ho)
		if err != nil {
			return err
		}
		s.pprof = ho.Pprof
		// A second start, now that the first has opened (and so replayed) the index:
		// the figure an operator sees on a restart.
		rss := RSS(s.Proc.PID())
		anon, _ := RSSSplit(s.Proc.PID())
		s.Proc.Stop()
		s, startup2, err := startHoard(name, ho)
		if err != nil {
			return err
		}
		s.pprof = ho.Pprof
		// Two working sets: 1,000 keys (they fit the entry cache, so this shows what
		// the index's size alone costs) and up to 100,000 (most lookups read badger).
		for _, k := range []int{1000, 100_000} {
			k = min(k, n)
			rng := rand.New(rand.NewPCG(uint64(n), uint64(k)))
			paths := make([]string, k)
			for i := range paths {
				paths[i] = "/maven/" + SeedKey(rng.IntN(n))
			}
			res, err := h.measure(ctx, s, paths, 16, true, h.profileName(s, fmt.Sprintf("scale-%d-keys-%d", n, k)))
			if err != nil {
				s.Proc.Stop()
				return err
			}
			h.logf("%-12s startup %v (again %v), %d keys: hits %.0f rps p50 %v p99 %v cpu %.1f us/req errors %d", name, startup.Round(time.Millisecond),
				startup2.Round(time.Millisecond), k, res.Stats.RPS(), res.Stats.Latency.Quantile(0.5), res.Stats.Latency.Quantile(0.99), res.CPUPerReq(), res.Stats.Errors)
			h.rep.scale = append(h.rep.scale, scaleRow{entries: n, keys: k, startup: startup, restart: startup2, startRSS: rss, startAnon: anon, res: res})
			if k == n {
				break // the index holds no more keys than that
			}
		}
		s.Proc.Stop()
	}
	return nil
}

// seeded fills dir with n entries, reusing it when a previous run left a
// complete one in the same entry format. Seeding writes through the cache package's synced index; on a
// tmpfs that takes seconds instead of minutes, so it seeds there and copies.
func (h *harness) seeded(dir string, n int) error {
	stamp := filepath.Join(dir, ".seeded")
	want := fmt.Sprintf("%d entries, entry format %d, compacted", n, cache.EntryFormat)
	if b, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(b)) == want {
		h.logf("reusing %s", dir)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	tmp := dir
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		tmp = filepath.Join("/dev/shm", fmt.Sprintf("hoardbench-seed-%d-%d", os.Getpid(), n))
		defer os.RemoveAll(tmp)
	}
	began := time.Now()
	h.logf("seeding %d entries", n)
	err := Seed(tmp, "maven", n, func(done int) {
		if done%250_000 == 0 {
			h.logf("  %d entries", done)
		}
	})
	if err != nil {
		return err
	}
	if tmp != dir {
		if out, err := exec.Command("cp", "-a", tmp, dir).CombinedOutput(); err != nil {
			return fmt.Errorf("copy seeded dir: %v: %s", err, out)
		}
	}
	h.logf("seeded %d entries in %v", n, time.Since(began).Round(time.Second))
	return os.WriteFile(stamp, []byte(want), 0o644)
}

// machine describes the host for the report.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if kb := meminfoKB("MemTotal"); kb > 0 {
		mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
	}
	return fmt.Sprintf("%d CPUs (nproc), %s%s, %s/%s, %s", runtime.NumCPU(), model, mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

func meminfoKB(field string) int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == field {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(v), " kB"), &kb)
			return kb
		}
	}
	return 0
}
