package s3store

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParseURL makes a Config from a storage URL of the form
//
//	s3://BUCKET?endpoint=HOST:PORT&region=REGION&tls=false&prefix=P&create=true
//
// Every parameter is optional: endpoint defaults to s3.amazonaws.com, region
// to us-east-1, tls to true, prefix to none and create (make the bucket if it
// is missing) to false. The credentials come from getenv (os.Getenv, in
// production): AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, optionally,
// AWS_SESSION_TOKEN. A URL that holds credentials (s3://KEY:SECRET@...) is
// refused, and no error repeats the URL, so a secret put there by mistake
// does not end up in a log.
func ParseURL(s string, getenv func(string) string) (Config, error) {
	const form = "s3://BUCKET?endpoint=HOST:PORT&region=REGION&tls=false&prefix=P"
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's error repeats the URL; this one does not.
		return Config{}, fmt.Errorf("s3store: storage URL does not parse; want %s", form)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("s3store: storage URL scheme is %q; want %s", u.Scheme, form)
	}
	if u.User != nil {
		return Config{}, errors.New("s3store: storage URL holds credentials; remove them and set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead")
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return Config{}, fmt.Errorf("s3store: storage URL has a path or fragment; want %s (use prefix=P for a key prefix)", form)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return Config{}, fmt.Errorf("s3store: storage URL query does not parse; want %s", form)
	}
	cfg := Config{Bucket: u.Host, Endpoint: "s3.amazonaws.com", Region: "us-east-1", TLS: true}
	for name, vals := range q {
		if len(vals) != 1 {
			return Config{}, fmt.Errorf("s3store: storage URL parameter %q given %d times", name, len(vals))
		}
		v := vals[0]
		switch name {
		case "endpoint":
			cfg.Endpoint = v
		case "region":
			if v == "" || !validChars(v) {
				return Config{}, fmt.Errorf("s3store: invalid region %q", v)
			}
			cfg.Region = v
		case "prefix":
			p, err := cleanPrefix(v)
			if err != nil {
				return Config{}, err
			}
			cfg.Prefix = p
		case "tls", "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("s3store: storage URL parameter %s=%q: want true or false", name, v)
			}
			if name == "tls" {
				cfg.TLS = b
			} else {
				cfg.CreateBucket = b
			}
		default:
			return Config{}, fmt.Errorf("s3store: unknown storage URL parameter %q; want endpoint, region, tls, prefix or create", name)
		}
	}
	if err := checkBucket(cfg.Bucket); err != nil {
		return Config{}, err
	}
	if err := checkEndpoint(cfg.Endpoint); err != nil {
		return Config{}, err
	}
	cfg.AccessKeyID = getenv("AWS_ACCESS_KEY_ID")
	cfg.SecretAccessKey = getenv("AWS_SECRET_ACCESS_KEY")
	cfg.SessionToken = getenv("AWS_SESSION_TOKEN")
	var missing []string
	if cfg.AccessKeyID == "" {
		missing = append(missing, "AWS_ACCESS_KEY_ID")
	}
	if cfg.SecretAccessKey == "" {
		missing = append(missing, "AWS_SECRET_ACCESS_KEY")
	}
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("s3store: no S3 credentials: set %s (both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed)", strings.Join(missing, " and "))
	}
	return cfg, nil
}

// checkBucket applies S3's rules for bucket names: 3 to 63 lower-case
// letters, digits, dots and hyphens, starting and ending with a letter or
// digit.
func checkBucket(b string) error {
	ok := len(b) >= 3 && len(b) <= 63 && !strings.Contains(b, "..")
	for i, c := range b {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if !alnum && (c != '-' && c != '.' || i == 0 || i == len(b)-1) {
			ok = false
		}
	}
	if !ok {
		return fmt.Errorf("s3store: invalid bucket name %q", b)
	}
	return nil
}

// checkEndpoint accepts HOST or HOST:PORT, without a scheme or path.
func checkEndpoint(e string) error {
	if strings.Contains(e, "@") {
		// Perhaps credentials: do not repeat it.
		return errors.New("s3store: invalid endpoint: it must not contain credentials; want HOST or HOST:PORT")
	}
	host := e
	if h, port, err := net.SplitHostPort(e); err == nil {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("s3store: invalid endpoint %q: bad port", e)
		}
		host = h
	}
	if host == "" || strings.ContainsAny(host, "/@?#:") && net.ParseIP(host) == nil {
		return fmt.Errorf("s3store: invalid endpoint %q: want HOST or HOST:PORT", e)
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == ':') {
			return fmt.Errorf("s3store: invalid endpoint %q: want HOST or HOST:PORT", e)
		}
	}
	return nil
}
