package harness

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// OCI content, as benchmark paths: the servers that speak OCI map them to their
// own /v2/ URLs (the digests are known once the images are pushed).
const (
	pathOCITag  = "/oci/img/manifests/v1" // also a static file on the origin, for nginx
	pathOCIBlob = "/oci/img/layer"
	pathOCIHerd = "/oci/herd/layer"
)

func coldOCITagPath(i int) string { return fmt.Sprintf("/oci/cold%d/manifests/v1", i) }

// coldOCITokenPath is a cold tag of a repository pulled through the token flow
// (the upstream behind tokenAuth; Hoard's ocitok mount).
func coldOCITokenPath(i int) string { return fmt.Sprintf("/oci/tok%d/manifests/v1", i) }

func isTokenPath(p string) bool { return strings.HasPrefix(p, "/oci/tok") }

const pathOCIColdBlob = "/oci/coldblob/layer"

const ociAccept = "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " +
	"application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json\r\n"

// ociData is what was pushed to the upstream registry.
type ociData struct {
	layers map[string]string // repository -> its (only) layer's digest
}

// ociRepo is the repository of a benchmark OCI path (under bench/ on a registry).
func ociRepo(p string) string {
	repo, _, _ := strings.Cut(strings.TrimPrefix(p, "/oci/"), "/")
	return repo
}

// v2Path maps a benchmark OCI path to /v2/<prefix><repo>/... on a registry.
func (d *ociData) v2Path(p, prefix string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "/oci/")
	if !ok || d == nil {
		return "", false
	}
	repo, what, _ := strings.Cut(rest, "/")
	switch {
	case what == "layer":
		dg, ok := d.layers[repo]
		if !ok {
			return "", false
		}
		return "/v2/" + prefix + "bench/" + repo + "/blobs/" + dg, true
	case strings.HasPrefix(what, "manifests/"):
		return "/v2/" + prefix + "bench/" + repo + "/" + what, true
	}
	return "", false
}

// registryConf is a CNCF distribution registry with filesystem storage; with
// remote set, a pull-through cache of it (proxy mode).
func registryConf(dir, addr, remote string) string {
	c := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
		filepath.Join(dir, "data"), addr)
	if remote != "" {
		c += "proxy:\n  remoteurl: " + remote + "\n"
	}
	return c
}

func registryBin(configured string) string {
	if configured != "" {
		return configured
	}
	dir := os.Getenv("HOARD_CI_BIN")
	if dir == "" {
		dir = "/opt/hoard-ci/bin"
	}
	return filepath.Join(dir, "registry")
}

// startRegistry starts a CNCF registry: the upstream one with the zero
// placement (it inherits the harness's CPUs), the one under test on place's.
func startRegistry(place placement, name, bin, dir, remote string) (*Server, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(conf, []byte(registryConf(dir, addr, remote)), 0o644); err != nil {
		return nil, err
	}
	bin, args := place.command(bin, []string{"serve", conf})
	p, err := start(name, filepath.Join(dir, "registry.log"), bin, args, nil)
	if err != nil {
		return nil, err
	}
	if err := waitHTTP(p, "http://"+addr+"/v2/", 30*time.Second); err != nil {
		p.Stop()
		return nil, err
	}
	return &Server{Name: name, Addr: addr, Proc: p}, nil
}

// slowProxy sits in front of the upstream registry as the origin does for the
// other formats: it waits Latency before each request, paces response bodies to
// Rate bytes per second, and counts requests per path.
type slowProxy struct {
	Addr    string
	latency time.Duration
	rate    int64
	srv     *http.Server
	mu      sync.Mutex
	counts  map[string]int64
	auth    *tokenAuth // the registry token flow in front of the registry; nil: none
}

// startSlowProxy starts the proxy; withToken puts the registry token flow in
// front of the registry (see tokenAuth), its realm on the proxy itself.
func startSlowProxy(target string, latency time.Duration, rate int64, withToken bool) (*slowProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	sp := &slowProxy{Addr: ln.Addr().String(), latency: latency, rate: rate, counts: map[string]int64{}}
	if withToken {
		sp.auth = newTokenAuth(sp.Addr)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	rp.FlushInterval = -1
	rp.ModifyResponse = func(resp *http.Response) error {
		if sp.rate > 0 && resp.Request.Method == http.MethodGet {
			resp.Body = &pacedBody{rc: resp.Body, rate: sp.rate, ctx: resp.Request.Context()}
		}
		return nil
	}
	sp.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sp.mu.Lock()
		sp.counts[r.URL.Path]++
		sp.mu.Unlock()
		t := time.NewTimer(sp.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
		if sp.auth != nil {
			switch {
			case r.URL.Path == tokenPath:
				sp.auth.issue(w, r)
				return
			case !sp.auth.allowed(r):
				sp.auth.challenge(w, r)
				return
			}
			r.Header.Del("Authorization") // the registry behind has no authentication
		}
		rp.ServeHTTP(w, r)
	})}
	go sp.srv.Serve(ln)
	return sp, nil
}

func (sp *slowProxy) requests(path string) int64 {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	return sp.counts[path]
}

func (sp *slowProxy) Close() { sp.srv.Close() }

// pacedBody releases bytes no faster than rate per second.
type pacedBody struct {
	rc    io.ReadCloser
	rate  int64
	ctx   context.Context
	start time.Time
	sent  int64
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if p.start.IsZero() {
		p.start = time.Now()
	}
	if len(b) > 64<<10 {
		b = b[:64<<10]
	}
	n, err := p.rc.Read(b)
	p.sent += int64(n)
	due := p.start.Add(time.Duration(float64(p.sent) / float64(p.rate) * float64(time.Second)))
	if wait := time.Until(due); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-p.ctx.Done():
			t.Stop()
			return n, p.ctx.Err()
		}
	}
	return n, err
}

func (p *pacedBody) Close() error { return p.rc.Close() }

// pushImage uploads a one-layer image (config and layer blobs, then the manifest
// by tag) the way a client pushes, and returns the manifest and layer digest.
func pushImage(ctx context.Context, registry, repo, tag string, layer []byte) (manifest []byte, layerDigest string, err error) {
	config := []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{"Labels":{"repo":%q}}}`, repo))
	cd, err := pushBlob(ctx, registry, repo, config)
	if err != nil {
		return nil, "", err
	}
	ld, err := pushBlob(ctx, registry, repo, layer)
	if err != nil {
		return nil, "", err
	}
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": len(config)},
		"layers":        []any{map[string]any{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ld, "size": len(layer)}},
		"annotations":   map[string]string{"org.opencontainers.image.description": strings.Repeat("hoard benchmark image ", 30)},
	}
	manifest, err = json.Marshal(m)
	if err != nil {
		return nil, "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, fmt.Sprintf("http://%s/v2/%s/manifests/%s", registry, repo, tag), bytes.NewReader(manifest))
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	if err := expect(http.DefaultClient.Do(req))(http.StatusCreated); err != nil {
		return nil, "", fmt.Errorf("put manifest: %w", err)
	}
	return manifest, ld, nil
}

func pushBlob(ctx context.Context, registry, repo string, body []byte) (string, error) {
	sum := sha256.Sum256(body)
	dg := "sha256:" + hex.EncodeToString(sum[:])
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, fmt.Sprintf("http://%s/v2/%s/blobs/uploads/", registry, repo), nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("start upload: status %d", resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		return "", err
	}
	q := loc.Query()
	q.Set("digest", dg)
	loc.RawQuery = q.Encode()
	req, _ = http.NewRequestWithContext(ctx, http.MethodPut, loc.String(), bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/octet-stream")
	if err := expect(http.DefaultClient.Do(req))(http.StatusCreated); err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	return dg, nil
}

func expect(resp *http.Response, err error) func(int) error {
	return func(code int) error {
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		if resp.StatusCode != code {
			return fmt.Errorf("status %d: %s", resp.StatusCode, b)
		}
		return nil
	}
}

// setUpOCI starts the upstream registry behind a slow proxy, pushes the images,
// writes the warm manifest as a static file for nginx, and starts the registry in
// proxy mode. Hoard's oci mount is pointed at the slow proxy by the caller.
func (h *harness) setUpOCI(ctx context.Context, originRoot string) (*slowProxy, error) {
	bin := registryBin(h.cfg.Registry)
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s not found (bash .ci/install-oci installs it)", bin)
	}
	up, err := startRegistry(placement{}, "registry-upstream", bin, filepath.Join(h.cfg.WorkDir, "registry-upstream"), "")
	if err != nil {
		return nil, err
	}
	h.extra = append(h.extra, up.Proc)
	rng := rand.New(rand.NewChaCha8([32]byte{'o', 'c', 'i'}))
	// Layers are made as they are pushed, so no more than one large one is held.
	big := func() []byte {
		var b bytes.Buffer
		randomBytes(&b, rng, h.cfg.BlobBytes)
		return b.Bytes()
	}
	type image struct {
		repo  string
		layer func() []byte
	}
	d := &ociData{layers: map[string]string{}}
	images := []image{{"img", big}, {"coldblob", big}}
	for round := range h.cfg.runCount() {
		images = append(images, image{ociRepo(herdPath(pathOCIHerd, round)), big})
	}
	for i := 0; i < h.cfg.Cold; i++ {
		small := []byte(fmt.Sprintf("small layer %d", i))
		images = append(images, image{fmt.Sprintf("cold%d", i), func() []byte { return small }})
		tok := []byte(fmt.Sprintf("small layer %d behind the token flow", i))
		images = append(images, image{ociRepo(coldOCITokenPath(i)), func() []byte { return tok }})
	}
	for _, im := range images {
		m, ld, err := pushImage(ctx, up.Addr, "bench/"+im.repo, "v1", im.layer())
		if err != nil {
			return nil, fmt.Errorf("push %s: %w", im.repo, err)
		}
		d.layers[im.repo] = ld
		if im.repo == "img" {
			if err := writeWithSHA1(filepath.Join(originRoot, filepath.FromSlash(pathOCITag)), func(w io.Writer) error {
				_, err := w.Write(m)
				return err
			}); err != nil {
				return nil, err
			}
		}
	}
	h.oci = d
	sp, err := startSlowProxy("http://"+up.Addr, h.cfg.Latency, h.cfg.OriginRate, false)
	if err != nil {
		return nil, err
	}
	h.ociUp = &Server{Name: "origin", Addr: sp.Addr, Path: func(p string) (string, bool) { return d.v2Path(p, "") }}
	// The same registry behind the token flow, for the cold tags of tok* repositories.
	if h.ociTok, err = startSlowProxy("http://"+up.Addr, h.cfg.Latency, h.cfg.OriginRate, true); err != nil {
		sp.Close()
		return nil, err
	}
	h.ociTokUp = &Server{Name: "origin", Addr: h.ociTok.Addr, Path: tokenOnly(d, "")}
	return sp, nil
}

// tokenOnly maps the cold tags behind the token flow, and nothing else.
func tokenOnly(d *ociData, prefix string) func(string) (string, bool) {
	return func(p string) (string, bool) {
		if !isTokenPath(p) {
			return "", false
		}
		return d.v2Path(p, prefix)
	}
}

func (h *harness) startRegistryProxy(sp *slowProxy, dir string) (*Server, error) {
	s, err := startRegistry(h.place, "registry-proxy", registryBin(h.cfg.Registry), filepath.Join(h.cfg.WorkDir, dir), "http://"+sp.Addr)
	if err != nil {
		return nil, err
	}
	d := h.oci
	s.Path = func(p string) (string, bool) {
		if isTokenPath(p) {
			return "", false
		}
		return d.v2Path(p, "")
	}
	if sp.auth != nil {
		s.Path = tokenOnly(d, "")
	}
	return s, nil
}
