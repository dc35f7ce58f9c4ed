package pod

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"github.com/satchel-project/satchel/sealed"
	"io"
	"mime"
	"strings"
)

// Post creates a new member of container c, named after slug when it is
// free and safe, and returns its path. With contentType "" it creates a
// container.
func (s *Service) Post(ctx context.Context, id PodID, c Path, slug, contentType string, size int64, body io.Reader) (Path, Resource, error) {
	if !c.IsContainer() {
		return "", Resource{}, ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return "", Resource{}, err
	}
	container := contentType == ""
	name, err := s.reserve(ctx, pk, c, slugName(slug, contentType), container)
	if err != nil {
		return "", Resource{}, notFound(err)
	}
	var p Path
	var res Resource
	if container {
		p = c.Child(name + "/")
		if _, err = s.writeContainer(ctx, pk, p, Meta{}, nil, Cond{IfNoneMatch: true}); err == nil {
			err = s.link(ctx, pk, p, Member{Modified: s.now().UTC()})
			res = Resource{Meta: Meta{Path: p, ContentType: ContainerType}}
		}
	} else {
		p = c.Child(name)
		res, _, err = s.Put(ctx, id, p, contentType, size, body, Preconditions{IfNoneMatch: []string{"*"}})
	}
	if err != nil {
		// Give the name back; the write left nothing behind.
		s.updateShard(context.WithoutCancel(ctx), pk, c, shardOf(pk, p.Name()), func(m map[string]Member) (bool, error) {
			if !m[p.Name()].pending() {
				return false, nil
			}
			delete(m, p.Name())
			return true, nil
		})
		return "", Resource{}, err
	}
	return p, res, nil
}

// maxReserveTries bounds the names reserve tries before giving up.
const maxReserveTries = 32

// reserve claims a free member name in container c, base if it is free,
// else base with a random suffix, by recording it (with a "/" if it is for
// a container) as pending in its shard of c's index under
// compare-and-swap. Two writers (in this process or on another instance)
// can therefore never pick the same name, and the body of a POST, which
// can be read only once, is never written to a name that turns out to be
// taken. A missing container is ErrNotExist.
func (s *Service) reserve(ctx context.Context, pk *sealed.Keys, c Path, base string, container bool) (string, error) {
	co, err := s.openContainer(ctx, pk, c)
	if err != nil {
		return "", err
	}
	taken := func(members map[string]Member, n string) bool {
		_, a := members[n]
		_, b := members[twin(n)]
		return a || b
	}
	name := base
	for range maxReserveTries {
		member := name
		if container {
			member += "/"
		}
		if !taken(co.inline, member) {
			reserved, err := s.updateShard(ctx, pk, c, shardOf(pk, member), func(members map[string]Member) (bool, error) {
				if taken(members, member) {
					return false, nil
				}
				members[member] = Member{Name: member, Size: pendingSize, Modified: s.now().UTC()}
				return true, nil
			})
			if err != nil {
				return "", err
			}
			if reserved {
				return name, nil
			}
		}
		name = withSuffix(base, randomSuffix())
	}
	return "", ErrBusy
}

// slugName makes a safe member name from a client's Slug: letters, digits,
// ".", "-" and "_", at most 64 bytes, with an extension that matches the
// content type. An empty or unusable slug gets a random name.
func slugName(slug, contentType string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(slug) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
		if b.Len() >= 64 {
			break
		}
	}
	name := strings.Trim(b.String(), ".")
	for strings.HasSuffix(name, DescriptionSuffix) {
		name = strings.TrimSuffix(name, DescriptionSuffix)
	}
	if name == "" {
		name = randomSuffix()
	}
	if contentType != "" {
		if ext := Extension(contentType); ext != "" && !strings.HasSuffix(strings.ToLower(name), ext) {
			name += ext
		}
	}
	return name
}

// Extension is the usual file extension for a content type, or "".
func Extension(contentType string) string {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch mt {
	case "application/ld+json":
		return ".jsonld"
	case "application/json":
		return ".json"
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/heic":
		return ".heic"
	case "image/heif":
		return ".heif"
	case "text/plain":
		return ".txt"
	}
	return ""
}

func withSuffix(name, suffix string) string {
	if i := strings.LastIndex(name, "."); i > 0 {
		return name[:i] + "-" + suffix + name[i:]
	}
	return name + "-" + suffix
}

func randomSuffix() string {
	b := make([]byte, 5)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}
