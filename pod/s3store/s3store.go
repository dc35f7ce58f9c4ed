// Package s3store keeps pod objects in an S3 bucket (Amazon S3, MinIO or
// another S3-compatible service), so that several serving processes can
// share one store. It implements pod.Store; no type of the S3 SDK leaves the
// package, and its errors are translated into pod.ErrNotExist,
// pod.ErrPrecondition and pod.ErrUnavailable.
//
// Writes are atomic because S3 makes an object visible only once its upload
// is complete: a single PUT or a completed multipart upload. A failed upload
// is abandoned (multipart uploads are aborted) and the previous object stays.
//
// Conditional writes are done by the server: create-only writes send
// If-None-Match: * and If-Match writes send If-Match, on the PUT or on the
// request that completes a multipart upload, and the server checks them
// under its own lock.
//
// Conditional deletes are not: S3's DeleteObject as MinIO implements it
// ignores If-Match, and the SDK cannot send it. Delete with a condition
// therefore reads the object's ETag, compares it and then deletes, while
// holding a per-key lock that Put also takes. That is safe between
// goroutines of one process, but a writer in another process that replaces
// the object between the check and the delete loses its write. Run
// conditional deletes from one process, or only delete objects that no one
// else writes (as Satchel does: a pod is deleted by its owner).
package s3store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/satchel-project/satchel/pod"
)

// Defaults for the timeouts in Config. They are short so that a server that
// is down or hung is reported (as pod.ErrUnavailable) within seconds; a
// request that times out is tried once more.
const (
	DefaultDialTimeout     = 3 * time.Second
	DefaultResponseTimeout = 5 * time.Second
)

// maxRetries is how many times the SDK tries a request that failed in a way
// it considers temporary (the first attempt included). Small, so that an
// unreachable server is reported within seconds rather than minutes.
const maxRetries = 2

// Config says where the store is and how to reach it. ParseURL makes one
// from a storage URL and the environment.
type Config struct {
	// Bucket is the S3 bucket's name.
	Bucket string
	// Endpoint is the server's HOST or HOST:PORT, without a scheme.
	Endpoint string
	// Region is the bucket's region; "us-east-1" when empty.
	Region string
	// TLS makes the client use HTTPS.
	TLS bool
	// Prefix is put before every key, so that one bucket can hold several
	// stores. A non-empty prefix that does not end in "/" gets one.
	Prefix string
	// AccessKeyID, SecretAccessKey and SessionToken (optional) are the
	// credentials. They are never printed: Config's String and GoString
	// methods leave them out.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// CreateBucket makes Open create the bucket if it does not exist.
	CreateBucket bool
	// DialTimeout bounds connecting to the server (DefaultDialTimeout when
	// zero); ResponseTimeout bounds waiting for the headers of a response
	// once a request has been sent (DefaultResponseTimeout when zero).
	DialTimeout     time.Duration
	ResponseTimeout time.Duration
}

// String describes c without its credentials.
func (c Config) String() string {
	return fmt.Sprintf("s3store.Config{Bucket:%q Endpoint:%q Region:%q TLS:%t Prefix:%q CreateBucket:%t credentials:[redacted]}",
		c.Bucket, c.Endpoint, c.Region, c.TLS, c.Prefix, c.CreateBucket)
}

// GoString is String, so that %#v does not print the credentials either.
func (c Config) GoString() string { return c.String() }

// Store is a pod.Store in an S3 bucket. It is safe for concurrent use.
type Store struct {
	client *minio.Client
	core   minio.Core
	bucket string
	region string
	prefix string
	locks  keyLocks
}

var _ pod.Store = (*Store)(nil)

// Open connects to the server that cfg names and checks that the bucket
// exists, creating it if cfg.CreateBucket is set. An unreachable server is an
// error that wraps pod.ErrUnavailable.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	s, err := newStore(cfg)
	if err != nil {
		return nil, err
	}
	ok, err := s.bucketExists(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		if !cfg.CreateBucket {
			return nil, fmt.Errorf("s3store: bucket %q does not exist", cfg.Bucket)
		}
		err := s.client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: s.region})
		if err != nil {
			code := minio.ToErrorResponse(err).Code
			if code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
				return nil, mapErr("create bucket "+cfg.Bucket, err)
			}
		}
	}
	return s, nil
}

// newStore checks cfg and makes a Store without contacting the server.
func newStore(cfg Config) (*Store, error) {
	if err := checkBucket(cfg.Bucket); err != nil {
		return nil, err
	}
	if err := checkEndpoint(cfg.Endpoint); err != nil {
		return nil, err
	}
	if cfg.AccessKeyID == "" || cfg.SecretAccessKey == "" {
		return nil, errors.New("s3store: no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	prefix, err := cleanPrefix(cfg.Prefix)
	if err != nil {
		return nil, err
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	tr, err := minio.DefaultTransport(cfg.TLS)
	if err != nil {
		return nil, fmt.Errorf("s3store: %s", err.Error())
	}
	dial := orDefault(cfg.DialTimeout, DefaultDialTimeout)
	tr.DialContext = (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = dial
	tr.ResponseHeaderTimeout = orDefault(cfg.ResponseTimeout, DefaultResponseTimeout)
	tr.ExpectContinueTimeout = time.Second
	// The SDK keeps 16 idle connections to a host: a server handling more
	// requests than that at once closed the rest after each request and
	// opened new ones for the next (a TCP handshake, and MinIO's work per
	// connection, per request). Keep as many as it keeps in all.
	tr.MaxIdleConnsPerHost = tr.MaxIdleConns
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken),
		Secure:     cfg.TLS,
		Transport:  tr,
		Region:     region,
		MaxRetries: maxRetries,
	})
	if err != nil {
		// The SDK's message names the endpoint, never the credentials. Its
		// error type stays here.
		return nil, fmt.Errorf("s3store: %s", err.Error())
	}
	return &Store{client: client, core: minio.Core{Client: client}, bucket: cfg.Bucket, region: region, prefix: prefix}, nil
}

// Ping reports whether the server can be reached and the bucket exists, for
// a readiness check. An unreachable server is an error that wraps
// pod.ErrUnavailable.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.bucketExists(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("s3store: bucket %q does not exist", s.bucket)
	}
	return nil
}

func (s *Store) bucketExists(ctx context.Context) (bool, error) {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return false, mapErr("bucket "+s.bucket, err)
	}
	return ok, nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// maxKey bounds a key with its prefix; S3 allows 1024 bytes.
const maxKey = 1024

// object maps a key to its object name, refusing keys that are empty, start
// or end with "/", contain "//" or "..", or use characters outside
// [A-Za-z0-9._/-].
func (s *Store) object(key string) (string, error) {
	if key == "" || strings.HasPrefix(key, "/") || strings.HasSuffix(key, "/") ||
		strings.Contains(key, "//") || strings.Contains(key, "..") || key == "." ||
		strings.HasPrefix(key, "./") || strings.Contains(key, "/./") || strings.HasSuffix(key, "/.") ||
		!validChars(key) || len(s.prefix)+len(key) > maxKey {
		return "", fmt.Errorf("s3store: invalid key %q", key)
	}
	return s.prefix + key, nil
}

func validChars(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/') {
			return false
		}
	}
	return true
}

// cleanPrefix checks a configured prefix and makes it end in "/".
func cleanPrefix(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.Contains(p, "..") || !validChars(p) {
		return "", fmt.Errorf("s3store: invalid prefix %q", p)
	}
	return p, nil
}

// keyLocks serialises, within this process, the writes and conditional
// deletes of one key (see the package comment).
type keyLocks struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	ch   chan struct{}
	refs int
}

// lock waits until no one else in this process holds key's lock, or ctx
// ends, and returns the function that releases it.
func (l *keyLocks) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	if l.m == nil {
		l.m = map[string]*keyLock{}
	}
	k := l.m[key]
	if k == nil {
		k = &keyLock{ch: make(chan struct{}, 1)}
		l.m[key] = k
	}
	k.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		if k.refs--; k.refs == 0 {
			delete(l.m, key)
		}
		l.mu.Unlock()
	}
	select {
	case k.ch <- struct{}{}:
		return func() { <-k.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
