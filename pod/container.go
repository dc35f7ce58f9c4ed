package pod

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/satchel-project/satchel/sealed"
)

// ContainerType is the content type Satchel stores a container's own object
// under, inside its encryption.
const ContainerType = "application/vnd.satchel.container+json"

// Member is one entry of a container's listing: a resource or a container
// (Name ends in "/"). ContentType is the resource's type as stored. Size and
// Modified are the member's as it was added to the container, or as a
// replacement of another content type left it: replacing a resource with
// one of the same type writes no listing, so they are not its current size
// and time (Stat the member for those).
type Member struct {
	Name        string    `json:"-"`
	ContentType string    `json:"type,omitempty"`
	Size        int64     `json:"size"`
	Modified    time.Time `json:"modified"`
}

// pendingSize marks a member whose name a POST has reserved but not yet
// written; listings do not show it.
const pendingSize = -1

func (m Member) pending() bool { return m.Size == pendingSize }

// IsContainer reports whether the member is a container.
func (m Member) IsContainer() bool { return strings.HasSuffix(m.Name, "/") }

// current reports whether entry m already lists what want would: the same
// member, no longer pending, with the same content type.
func (m Member) current(want Member) bool {
	return !m.pending() && m.ContentType == want.ContentType
}

// A container is two things in storage: its own object, under the opaque
// name of its path, whose existence is the container's and whose header
// holds its path and times; and its index of members (see index.go).
//
// listing is the body of the container's own object. Releases before the
// index kept every member here ("inline"); Satchel now writes it empty,
// lists inline members with the index's, links new members only in the
// index, and removes a member from here when it is unlinked, so pods
// written by those releases need no migration.
type listing struct {
	Members map[string]Member `json:"members"`
}

// maxContainerRetries bounds a compare-and-swap loop on one object of a
// container when writers race; maxBackoff caps one wait.
const (
	maxContainerRetries = 60
	maxBackoff          = 100 * time.Millisecond
)

// ErrBusy means a container kept changing under a writer until it gave up.
var ErrBusy = errors.New("this folder is too busy to change right now")

// containerObject is a container's own object as read.
type containerObject struct {
	meta   Meta
	inline map[string]Member
	etag   string
}

// openContainer reads container c's own object. A missing container is
// ErrNotExist.
func (s *Service) openContainer(ctx context.Context, pk *sealed.Keys, c Path) (containerObject, error) {
	meta, rc, oi, err := s.openObject(ctx, pk, pk.Object(string(c)))
	if err != nil {
		return containerObject{}, err
	}
	defer rc.Close()
	if meta.ContentType != ContainerType || meta.Path != c {
		return containerObject{}, errDamaged
	}
	var l listing
	if err := json.NewDecoder(rc).Decode(&l); err != nil {
		return containerObject{}, errDamaged
	}
	if l.Members == nil {
		l.Members = map[string]Member{}
	}
	for name, m := range l.Members {
		m.Name = name
		l.Members[name] = m
	}
	return containerObject{meta: meta, inline: l.Members, etag: oi.ETag}, nil
}

// writeContainer stores container c's own object with meta (a new
// container's when meta is zero) and inline members (none, for every
// container Satchel makes now).
func (s *Service) writeContainer(ctx context.Context, pk *sealed.Keys, c Path, meta Meta, inline map[string]Member, cond Cond) (ObjectInfo, error) {
	if inline == nil {
		inline = map[string]Member{}
	}
	body, err := json.Marshal(listing{Members: inline})
	if err != nil {
		return ObjectInfo{}, err
	}
	now := s.now().UTC()
	if meta.Created.IsZero() {
		meta.Created = now
	}
	meta.Path, meta.ContentType, meta.Size, meta.Modified = c, ContainerType, int64(len(body)), now
	return s.writeObject(ctx, pk, pk.Object(string(c)), meta, strings.NewReader(string(body)), cond)
}

// containerState is what a listing was made from, for a caller that must
// notice a change since: the container's own object and its shards' ETags.
type containerState struct {
	object containerObject
	shards map[string]string
}

// readContainer reads container c whole: its own object and every shard of
// its index. It returns every member (pending ones too), the container as
// a Resource, and what the listing was read from. The Resource's ETag
// combines the object's and the shards' ETags, so it changes whenever the
// membership does; its Modified is the latest change to either.
func (s *Service) readContainer(ctx context.Context, pk *sealed.Keys, c Path) ([]Member, Resource, containerState, error) {
	co, err := s.openContainer(ctx, pk, c)
	if err != nil {
		return nil, Resource{}, containerState{}, err
	}
	shards, err := s.readIndex(ctx, pk, c)
	if err != nil {
		return nil, Resource{}, containerState{}, err
	}
	total := len(co.inline)
	for _, sh := range shards {
		total += len(sh.members)
	}
	members := make([]Member, 0, total)
	meta := co.meta
	version := make(map[string]string, len(shards))
	for n, sh := range shards {
		version[n] = sh.etag
		members = append(members, sh.members...)
		if sh.modified.After(meta.Modified) {
			meta.Modified = sh.modified
		}
	}
	if len(co.inline) > 0 {
		// A name is inline or in its shard, never both; if a writer of
		// another release made it both, the shard's entry wins.
		inShards := make(map[string]bool, len(members))
		for _, m := range members {
			inShards[m.Name] = true
		}
		for _, m := range co.inline {
			if !inShards[m.Name] {
				members = append(members, m)
			}
		}
	}
	res := Resource{Meta: meta, ETag: containerETag(co.etag, version)}
	return members, res, containerState{object: co, shards: version}, nil
}

// containerETag combines the ETag of a container's own object with those of
// its shards.
func containerETag(object string, shards map[string]string) string {
	h := sha256.New()
	io.WriteString(h, object)
	for _, n := range slices.Sorted(maps.Keys(shards)) {
		fmt.Fprintf(h, "\n%s %s", n, shards[n])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// lookup finds member name of container c: in its shard, else inline. A
// missing container has no members.
func (s *Service) lookup(ctx context.Context, pk *sealed.Keys, c Path, name string) (Member, bool, error) {
	sh, err := s.readShard(ctx, pk, c, shardOf(pk, name))
	if err != nil {
		return Member{}, false, err
	}
	if m, ok := sh.members[name]; ok {
		return m, true, nil
	}
	co, err := s.openContainer(ctx, pk, c)
	if errors.Is(err, ErrNotExist) {
		return Member{}, false, nil
	}
	if err != nil {
		return Member{}, false, err
	}
	m, ok := co.inline[name]
	return m, ok, nil
}

// errInline, inside link, means the member is listed inline and its entry
// there must change.
var errInline = errors.New("member is listed inline")

// link records m as p in p's container, creating the container (and those
// above it) if needed. It writes only if the listing lacks p, holds it
// pending, or gives another content type, so replacing a resource with one
// of the same type costs one read of one shard. A resource and a container
// may not share a name (Solid: "a" vs "a/"); both are in one shard.
//
// Adding to a container races with deleting it. The rule that keeps a
// member from being orphaned: an adder links first and then makes sure the
// container's own object exists, putting it back (and its link in its own
// container) if a DELETE removed it meanwhile; a DELETE removes the object
// first and then reads the index again, and if it changed puts the object
// back and refuses (see Service.Delete). In either order, the DELETE sees
// the new member or the adder sees the container gone.
func (s *Service) link(ctx context.Context, pk *sealed.Keys, p Path, m Member) error {
	c, name := p.Parent(), p.Name()
	m.Name = name
	var co *containerObject // read once, and only if the shard lacks p
	wrote, err := s.updateShard(ctx, pk, c, shardOf(pk, name), func(members map[string]Member) (bool, error) {
		if _, clash := members[twin(name)]; clash {
			return false, ErrConflict
		}
		if old, ok := members[name]; ok {
			if old.current(m) {
				return false, nil
			}
			members[name] = m
			return true, nil
		}
		if co == nil {
			o, err := s.openContainer(ctx, pk, c)
			if errors.Is(err, ErrNotExist) {
				err = s.ensureContainer(ctx, pk, c)
				o = containerObject{inline: map[string]Member{}}
			}
			if err != nil {
				return false, err
			}
			co = &o
		}
		if _, clash := co.inline[twin(name)]; clash {
			return false, ErrConflict
		}
		if old, ok := co.inline[name]; ok {
			if old.current(m) {
				return false, nil
			}
			return false, errInline
		}
		members[name] = m
		return true, nil
	})
	if errors.Is(err, errInline) {
		return s.updateInline(ctx, pk, c, func(inline map[string]Member) bool {
			if _, ok := inline[name]; !ok {
				return false
			}
			inline[name] = m
			return true
		})
	}
	if err != nil || !wrote {
		return err
	}
	return s.ensureContainer(ctx, pk, c)
}

// unlink removes p from its container's listing: from its shard, or from
// the container's own object if a release before the index listed it
// there. A missing container has nothing to remove.
func (s *Service) unlink(ctx context.Context, pk *sealed.Keys, p Path) error {
	c, name := p.Parent(), p.Name()
	found := false
	_, err := s.updateShard(ctx, pk, c, shardOf(pk, name), func(members map[string]Member) (bool, error) {
		_, found = members[name]
		delete(members, name)
		return found, nil
	})
	if err != nil || found {
		return err
	}
	err = s.updateInline(ctx, pk, c, func(inline map[string]Member) bool {
		_, ok := inline[name]
		delete(inline, name)
		return ok
	})
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// updateInline applies change to the inline members of container c under
// compare-and-swap; change reports whether it changed anything. A missing
// container is ErrNotFound.
func (s *Service) updateInline(ctx context.Context, pk *sealed.Keys, c Path, change func(map[string]Member) bool) error {
	for attempt := 0; attempt < maxContainerRetries; attempt++ {
		co, err := s.openContainer(ctx, pk, c)
		if err != nil {
			return notFound(err)
		}
		if !change(co.inline) {
			return nil
		}
		_, err = s.writeContainer(ctx, pk, c, co.meta, co.inline, Cond{IfMatch: co.etag})
		if errors.Is(err, ErrPrecondition) {
			if err := backoff(ctx, attempt); err != nil {
				return err
			}
			continue
		}
		return err
	}
	return ErrBusy
}

// ensureContainer makes sure container c exists: if its object is missing
// it is created and linked into its own container, creating ancestors as
// needed. An existing container is left alone.
func (s *Service) ensureContainer(ctx context.Context, pk *sealed.Keys, c Path) error {
	if c.IsRoot() {
		return nil
	}
	if _, err := s.store.Stat(ctx, pk.Object(string(c))); !errors.Is(err, ErrNotExist) {
		return err
	}
	_, err := s.writeContainer(ctx, pk, c, Meta{}, nil, Cond{IfNoneMatch: true})
	if err != nil && !errors.Is(err, ErrPrecondition) {
		return err
	}
	return s.link(ctx, pk, c, Member{Modified: s.now().UTC()})
}

// twin is the other form of a name: "a" for "a/" and "a/" for "a".
func twin(name string) string {
	if strings.HasSuffix(name, "/") {
		return strings.TrimSuffix(name, "/")
	}
	return name + "/"
}
