package pod

import (
	"errors"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PodID names a pod: 26 characters of lower-case base32 drawn at random
// (130 bits), so it cannot be guessed or enumerated.
type PodID string

// Valid reports whether id has the shape of a pod ID.
func (id PodID) Valid() bool {
	if len(id) != 26 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Path names a resource inside a pod, relative to the pod root, in decoded
// form with "/" between segments: "" is the root, "housing/" a container,
// "housing/tenancy.pdf" a resource. Containers, and only containers, end in
// "/".
type Path string

// Limits on paths, so that no request can make the server do unbounded work.
const (
	MaxPathBytes    = 1024
	MaxSegmentBytes = 255
	MaxDepth        = 16
	// DescriptionSuffix ends the name of a resource's description resource
	// (the target of its Link rel="describedby"); no stored name may end so.
	DescriptionSuffix = ".meta"
)

// Errors from ParsePath.
var (
	ErrBadPath     = errors.New("path is not allowed")
	ErrPathTooLong = errors.New("path is too long")
)

// ParsePath turns the escaped part of a URL path after the pod root into a
// Path. It refuses anything that could name something outside the pod or be
// read two ways: "." and ".." segments (also percent-encoded), encoded
// slashes and backslashes, empty segments, NUL and other control
// characters, and invalid UTF-8.
func ParsePath(escaped string) (Path, error) {
	if len(escaped) > 3*MaxPathBytes {
		return "", ErrPathTooLong
	}
	if escaped == "" {
		return "", nil
	}
	segs := strings.Split(escaped, "/")
	container := segs[len(segs)-1] == ""
	if container {
		segs = segs[:len(segs)-1]
	}
	if len(segs) > MaxDepth {
		return "", ErrPathTooLong
	}
	var b strings.Builder
	for i, s := range segs {
		if s == "" {
			return "", ErrBadPath
		}
		if strings.Contains(strings.ToLower(s), "%2f") || strings.Contains(strings.ToLower(s), "%5c") {
			return "", ErrBadPath
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return "", ErrBadPath
		}
		if err := checkSegment(d); err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(d)
	}
	if container {
		b.WriteByte('/')
	}
	if b.Len() > MaxPathBytes {
		return "", ErrPathTooLong
	}
	return Path(b.String()), nil
}

func checkSegment(d string) error {
	if d == "" || d == "." || d == ".." {
		return ErrBadPath
	}
	if len(d) > MaxSegmentBytes {
		return ErrPathTooLong
	}
	if !utf8.ValidString(d) {
		return ErrBadPath
	}
	for _, r := range d {
		if r == '/' || r == '\\' || unicode.IsControl(r) || r == utf8.RuneError {
			return ErrBadPath
		}
	}
	return nil
}

// IsContainer reports whether p names a container.
func (p Path) IsContainer() bool { return p == "" || strings.HasSuffix(string(p), "/") }

// IsRoot reports whether p is the pod root.
func (p Path) IsRoot() bool { return p == "" }

// IsDescription reports whether p names a description resource.
func (p Path) IsDescription() bool {
	return !p.IsContainer() && strings.HasSuffix(string(p), DescriptionSuffix)
}

// Parent is the container that holds p; the root's parent is itself.
func (p Path) Parent() Path {
	s := strings.TrimSuffix(string(p), "/")
	i := strings.LastIndex(s, "/")
	if i < 0 {
		return ""
	}
	return Path(s[:i+1])
}

// Name is p's last segment, with the trailing "/" of a container.
func (p Path) Name() string {
	return strings.TrimPrefix(string(p), string(p.Parent()))
}

// Escaped is p as it appears in a URL.
func (p Path) Escaped() string {
	if p == "" {
		return ""
	}
	segs := strings.Split(string(p), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// Child returns the path of a member called name (ending in "/" for a
// container) of container p.
func (p Path) Child(name string) Path { return Path(string(p) + name) }
