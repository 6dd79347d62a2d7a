// Package configs is Hoard's configuration: the schema, the embedded default that
// fronts GitHub Packages, a strict YAML loader, and command-line overrides.
package configs

// Config is the whole configuration of one daemon.
type Config struct {
	Listen       string       `yaml:"listen"`
	PublicURL    string       `yaml:"public_url"`
	DataDir      string       `yaml:"data_dir"`
	Offline      bool         `yaml:"offline"`
	DrainTimeout Duration     `yaml:"drain_timeout"`
	Log          Log          `yaml:"log"`
	Cache        Cache        `yaml:"cache"`
	Upstream     Upstream     `yaml:"upstream"`
	Auth         Auth         `yaml:"auth"`
	Limits       Limits       `yaml:"limits"`
	GitHub       GitHub       `yaml:"github"`
	Webhook      Webhook      `yaml:"webhook"`
	ForwardProxy ForwardProxy `yaml:"forward_proxy"`
	Admin        Admin        `yaml:"admin"`
	Mounts       []Mount      `yaml:"mounts"`
	// Policy is every mount's default policy (see Policy).
	Policy Policy `yaml:"policy"`
	// OCIDefault names the OCI mount that serves /v2/ names starting with no OCI
	// mount's name (Docker's registry-mirrors cannot add a path prefix).
	OCIDefault string `yaml:"oci_default"`
	// Dropped names the mounts Validate removed because the GitHub site does not
	// offer their format (see ApplyGitHub).
	Dropped []string `yaml:"-"`
	// DefaultMounts is true when the mounts are the built-in ones: no file, or a
	// file without a mounts key. Never read from YAML.
	DefaultMounts bool `yaml:"-"`
}

// Auth configures who may read, publish and delete.
type Auth struct {
	// Mode: "upstream" checks tokens against ValidateURL (GitHub's API; derived from
	// github.url when empty), "local"
	// against tokens made with `hoard token create`, "none" checks nothing itself and
	// lets the upstream decide.
	Mode        string   `yaml:"mode"`
	ValidateURL string   `yaml:"validate_url"`
	VerdictTTL  Duration `yaml:"verdict_ttl"` // bound on how long a revoked token keeps working
	AccessTTL   Duration `yaml:"access_ttl"`  // how long an upstream's "this token may read it" is trusted
	// AccessStale is how long a confirmed access still serves cached private content
	// while the upstream cannot answer; 0 turns it off.
	AccessStale Duration `yaml:"access_stale"`
	// VerdictStale is how long a token's last good verdict still lets it read while
	// the validator cannot be reached (auth.mode upstream); 0 turns it off.
	VerdictStale Duration `yaml:"verdict_stale"`
}

// Limits are request rates; 0 means unlimited.
type Limits struct {
	PerTokenRPS   float64 `yaml:"per_token_rps"`
	PerAddressRPS float64 `yaml:"per_address_rps"`
	Burst         int     `yaml:"burst"`
}

// Log configures the JSON log.
type Log struct {
	Level string `yaml:"level"` // debug, info, warn, error
	// AccessFlush is how long access lines may wait in memory before they are
	// written (0: each at once). Other lines are always written at once.
	AccessFlush Duration `yaml:"access_flush"`
}

// Cache configures the store and the pull-through engine.
type Cache struct {
	MaxSize ByteSize `yaml:"max_size"` // total budget of cached bytes; 0 = unlimited
	// MaxPinnedSize caps the pinned entries' bytes within MaxSize (see PinnedBudget).
	MaxPinnedSize   ByteSize `yaml:"max_pinned_size"`
	HotSize         ByteSize `yaml:"hot_size"`          // memory for small hot blobs
	MaxArtifactSize ByteSize `yaml:"max_artifact_size"` // largest single body accepted; 0 = unlimited
	// MaxMetadataSize caps a metadata document (npm packument, OCI manifest) that is
	// read whole to be rewritten or checked; 0 takes the default.
	MaxMetadataSize ByteSize `yaml:"max_metadata_size"`
	NegativeTTL     Duration `yaml:"negative_ttl"` // how long an upstream 404 is remembered
	FillTimeout     Duration `yaml:"fill_timeout"` // limit for one upstream fill
	// BlobStore puts a bucket several nodes share behind the local disk.
	BlobStore BlobStore `yaml:"blob_store"`
}

// Upstream configures the HTTP transport to every upstream.
type Upstream struct {
	ConnectTimeout  Duration `yaml:"connect_timeout"`
	HeaderTimeout   Duration `yaml:"header_timeout"`
	IdleTimeout     Duration `yaml:"idle_timeout"`
	MaxConnsPerHost int      `yaml:"max_conns_per_host"`
	Retries         int      `yaml:"retries"`          // extra attempts for idempotent requests
	RetryBackoff    Duration `yaml:"retry_backoff"`    // first backoff, doubled each time
	BreakerFailures int      `yaml:"breaker_failures"` // consecutive failures that open the breaker
	BreakerCooldown Duration `yaml:"breaker_cooldown"` // how long it stays open before a probe
	// SelfProxy is forward_proxy.listen, set at start: an HTTPS_PROXY naming it
	// would send Hoard's upstream requests back into Hoard.
	SelfProxy string `yaml:"-"`
}

// Mount is one registry served under /NAME/.
type Mount struct {
	Name   string `yaml:"name"`
	Format string `yaml:"format"`
	// Upstream is the single upstream base URL; Upstreams lists several, tried by
	// package pattern in order. Give one or the other, or neither for a GitHub
	// Packages format: github.url then derives it.
	Upstream  string         `yaml:"upstream"`
	Upstreams []UpstreamRule `yaml:"upstreams"`
	// AnonymousRead lets requests without a token read (never publish or delete).
	AnonymousRead bool `yaml:"anonymous_read"`
	// Credential is what Hoard sends upstream: "passthrough" (the caller's own, the
	// default), "none", "env:NAME" or "file:PATH" (a service credential: a bare token
	// is sent as Bearer, "user:password" as Basic).
	Credential string `yaml:"credential"`
	// InlineCredential holds the user:password given in a --mount URL; never from YAML.
	InlineCredential string `yaml:"-"`
	// TTL per metadata class (for Maven: metadata, snapshot); missing classes use
	// the default metadata TTL.
	TTL map[string]Duration `yaml:"ttl"`
	// Intercept lists more hosts (host or host:port) whose requests the forward
	// proxy hands to this mount, beside its upstreams' own hosts: a registry the
	// mount mirrors under another name.
	Intercept []string `yaml:"intercept"`
	// TokenRealms are hosts (host or host:port), besides the upstream's own, whose
	// registry token servers may receive the caller's or the mount's credentials.
	// Anonymous token requests go to any realm the upstream names.
	TokenRealms []string `yaml:"token_realms"`
	// AllTTL is --mount's ttl=DURATION, for every class of the format; ExpandAllTTL
	// moves it into TTL. Never from YAML.
	AllTTL Duration `yaml:"-"`
	// Policy is what this mount lets clients take, over the global policy.
	Policy Policy `yaml:"policy"`
}

// UpstreamRule is one upstream of a mount and the packages it serves.
type UpstreamRule struct {
	URL   string   `yaml:"url"`
	Match []string `yaml:"match"` // path.Match patterns on the package name or its leading segments; empty = all
}

// Rules returns the mount's upstreams in order, whichever form configured them.
func (m Mount) Rules() []UpstreamRule {
	if m.Upstream != "" {
		return append([]UpstreamRule{{URL: m.Upstream}}, m.Upstreams...)
	}
	return m.Upstreams
}
