package pod

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"github.com/satchel-project/satchel/sealed"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/satchel-project/satchel/access"
)

// Errors from Service, each matching one HTTP answer.
var (
	ErrNotFound   = errors.New("nothing is stored at this address")
	ErrConflict   = errors.New("this conflicts with what is stored")
	ErrNotAllowed = errors.New("this cannot be done here")
	ErrNotEmpty   = errors.New("this folder is not empty")
	errDamaged    = sealed.ErrDamaged
)

// StandardContainers exist in every pod from the moment it is made, and
// cannot be deleted.
var StandardContainers = []Path{"identity/", "housing/", "qualifications/", "finance/", "documents/", "inbox/", AccessLog}

// AccessLog is the container where Satchel records every use of the pod's
// grants. Its owner can read it; nobody can change it through the API.
const AccessLog Path = "access-log/"

// IsAccessLog reports whether p is the access log or inside it.
func (p Path) IsAccessLog() bool { return strings.HasPrefix(string(p), string(AccessLog)) }

// AppendLog adds one entry (a JSON document) to pod id's access log, under a
// name that sorts by time, and returns its path. The log container is made
// if an older pod lacks it.
func (s *Service) AppendLog(ctx context.Context, id PodID, entry []byte) (Path, error) {
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return "", err
	}
	if err := s.ensureContainer(ctx, pk, AccessLog); err != nil {
		return "", err
	}
	name := s.now().UTC().Format("20060102T150405.000000000Z")
	p, _, err := s.Post(ctx, id, AccessLog, name, "application/json", int64(len(entry)), bytes.NewReader(entry))
	return p, err
}

// Service is a set of pods over one Store and Keyring: create pods, and read,
// write, list and delete their resources. Every object it stores is an age
// file encrypted to the pod's own key, named by an HMAC of its path.
type Service struct {
	store Store
	keys  *Keyring
	now   func() time.Time
}

// NewService returns a Service storing pods in store with keys from keys.
func NewService(store Store, keys *Keyring) *Service {
	return &Service{store: store, keys: keys, now: time.Now}
}

// Resource is a stored resource or container as the HTTP layer sees it.
type Resource struct {
	Meta
	ETag string
}

// Preconditions are a request's If-Match and If-None-Match values: "*" or
// lists of ETags as stored (without quotes).
type Preconditions struct {
	IfMatch     []string
	IfNoneMatch []string
}

func (p Preconditions) set() bool { return p.IfMatch != nil || p.IfNoneMatch != nil }

// check evaluates p against the current ETag ("" when nothing exists).
func (p Preconditions) check(current string) error {
	if p.IfMatch != nil && !matches(p.IfMatch, current) {
		return ErrPrecondition
	}
	if p.IfNoneMatch != nil && matches(p.IfNoneMatch, current) {
		return ErrPrecondition
	}
	return nil
}

func matches(list []string, current string) bool {
	if current == "" {
		return false
	}
	for _, e := range list {
		if e == "*" || e == current {
			return true
		}
	}
	return false
}

// cond turns checked preconditions into a storage condition, so that the
// write fails if the object changed after the check.
func (p Preconditions) cond(current string) Cond {
	switch {
	case !p.set():
		return Cond{}
	case current == "":
		return Cond{IfNoneMatch: true}
	default:
		return Cond{IfMatch: current}
	}
}

// NewPodID draws a fresh random pod ID.
func NewPodID() PodID {
	b := make([]byte, 17)
	rand.Read(b)
	return PodID(strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:26])
}

// CreatePod makes a new pod with its own key, its root and the standard
// containers, and returns its ID.
func (s *Service) CreatePod(ctx context.Context) (PodID, error) {
	id := NewPodID()
	if err := s.CreatePodWithID(ctx, id); err != nil {
		return "", err
	}
	return id, nil
}

// CreatePodWithID makes a pod called id with the standard containers; it
// fails with ErrPrecondition if one exists.
func (s *Service) CreatePodWithID(ctx context.Context, id PodID) error {
	return s.createPod(ctx, id, StandardContainers)
}

// EnsureInternalPod makes an empty pod called id for the server's own
// records (accounts, and later grants), unless it exists. Such IDs are not
// valid pod IDs, so no HTTP request can name them.
func (s *Service) EnsureInternalPod(ctx context.Context, id PodID) error {
	if id.Valid() {
		return errors.New("internal pod IDs must not look like pod IDs")
	}
	err := s.createPod(ctx, id, nil)
	if errors.Is(err, ErrPrecondition) {
		return nil
	}
	return err
}

func (s *Service) createPod(ctx context.Context, id PodID, containers []Path) error {
	pk, err := s.keys.Create(ctx, string(id))
	if err != nil {
		return err
	}
	// The pod's key is new, so nothing else can be writing: each object
	// is made once, create-only, and each shard of the root's index
	// holds all of its standard containers.
	shards := map[string]shard{}
	now := s.now().UTC()
	for _, c := range containers {
		if _, err := s.writeContainer(ctx, pk, c, Meta{}, nil, Cond{IfNoneMatch: true}); err != nil {
			return err
		}
		n := shardOf(pk, c.Name())
		if shards[n].members == nil {
			shards[n] = shard{members: map[string]Member{}}
		}
		shards[n].members[c.Name()] = Member{Name: c.Name(), Modified: now}
	}
	for n, sh := range shards {
		if err := s.writeShard(ctx, pk, "", n, sh); err != nil {
			return err
		}
	}
	_, err = s.writeContainer(ctx, pk, "", Meta{}, nil, Cond{IfNoneMatch: true})
	return err
}

// Stat describes the resource or container at p. A container's ETag and
// Modified are those of its listing (see List).
func (s *Service) Stat(ctx context.Context, id PodID, p Path) (Resource, error) {
	if p.IsContainer() {
		res, _, err := s.List(ctx, id, p)
		return res, err
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return Resource{}, err
	}
	meta, rc, oi, err := s.openObject(ctx, pk, pk.Object(string(p)))
	if err != nil {
		return Resource{}, notFound(err)
	}
	rc.Close()
	if meta.Path != p {
		return Resource{}, errDamaged
	}
	return Resource{Meta: meta, ETag: oi.ETag}, nil
}

// Version returns the ETag of resource p without reading or decrypting it,
// so that a caller can keep a decoded copy until it changes.
func (s *Service) Version(ctx context.Context, id PodID, p Path) (string, error) {
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return "", err
	}
	oi, err := s.store.Stat(ctx, pk.Object(string(p)))
	if err != nil {
		return "", notFound(err)
	}
	return oi.ETag, nil
}

// Get opens the content of resource p. The caller closes the reader; a read
// error part-way means the stored object was tampered with.
func (s *Service) Get(ctx context.Context, id PodID, p Path) (Resource, io.ReadCloser, error) {
	if p.IsContainer() {
		return Resource{}, nil, ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return Resource{}, nil, err
	}
	meta, rc, oi, err := s.openObject(ctx, pk, pk.Object(string(p)))
	if err != nil {
		return Resource{}, nil, notFound(err)
	}
	if meta.Path != p {
		rc.Close()
		return Resource{}, nil, errDamaged
	}
	return Resource{Meta: meta, ETag: oi.ETag}, rc, nil
}

// List returns container c and its members, in no particular order. The
// container's ETag changes whenever a member is added or removed (or a
// replacement changes a member's content type), and its Modified is the
// time of the latest such change; see Member for what a member's Size and
// Modified mean.
func (s *Service) List(ctx context.Context, id PodID, c Path) (Resource, []Member, error) {
	if !c.IsContainer() {
		return Resource{}, nil, ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return Resource{}, nil, err
	}
	members, res, _, err := s.readContainer(ctx, pk, c)
	if err != nil {
		return Resource{}, nil, notFound(err)
	}
	return res, slices.DeleteFunc(members, Member.pending), nil
}

// Put creates or replaces resource p with size bytes of body, creating
// missing containers above it. created reports whether p is new. Adding a
// resource writes one shard of its container's index; replacing one with
// the same content type writes no listing at all.
func (s *Service) Put(ctx context.Context, id PodID, p Path, contentType string, size int64, body io.Reader, pre Preconditions) (res Resource, created bool, err error) {
	if p.IsContainer() || p.IsDescription() {
		return Resource{}, false, ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return Resource{}, false, err
	}
	key := pk.Object(string(p))
	current := ""
	if oi, err := s.store.Stat(ctx, key); err == nil {
		current = oi.ETag
	} else if !errors.Is(err, ErrNotExist) {
		return Resource{}, false, err
	}
	if err := pre.check(current); err != nil {
		return Resource{}, false, err
	}
	if current == "" {
		// Refuse before writing if a container already has this name.
		if _, clash, err := s.lookup(ctx, pk, p.Parent(), p.Name()+"/"); err != nil {
			return Resource{}, false, err
		} else if clash {
			return Resource{}, false, ErrConflict
		}
	}
	meta := Meta{Path: p, ContentType: contentType, Size: size, Modified: s.now().UTC()}
	if who := access.From(ctx); who.Kind == access.Helper && !who.Owns(string(id)) {
		meta.AddedBy = who.Account
	}
	if by := addedByFrom(ctx); by != "" {
		meta.AddedBy = by
	}
	oi, err := s.writeObject(ctx, pk, key, meta, body, pre.cond(current))
	if err != nil {
		return Resource{}, false, err
	}
	// On a replacement this only reads p's shard, unless p's type changed
	// or an earlier write stopped before listing it.
	if err := s.link(ctx, pk, p, Member{ContentType: contentType, Size: size, Modified: meta.Modified}); err != nil {
		if current == "" {
			s.store.Delete(context.WithoutCancel(ctx), key, Cond{IfMatch: oi.ETag})
		}
		return Resource{}, false, err
	}
	return Resource{Meta: meta, ETag: oi.ETag}, current == "", nil
}

// CreateContainer makes container c (and any missing containers above it).
// created is false if it already existed.
func (s *Service) CreateContainer(ctx context.Context, id PodID, c Path) (created bool, err error) {
	if !c.IsContainer() || c.IsRoot() {
		return false, ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return false, err
	}
	if _, clash, err := s.lookup(ctx, pk, c.Parent(), twin(c.Name())); err != nil {
		return false, err
	} else if clash {
		return false, ErrConflict
	}
	_, err = s.writeContainer(ctx, pk, c, Meta{}, nil, Cond{IfNoneMatch: true})
	if errors.Is(err, ErrPrecondition) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.link(ctx, pk, c, Member{Modified: s.now().UTC()})
}

// Delete removes resource or empty container p. The root and the standard
// containers cannot be deleted; a container with members is ErrNotEmpty.
func (s *Service) Delete(ctx context.Context, id PodID, p Path, pre Preconditions) error {
	if p.IsRoot() || p.IsDescription() || isStandard(p) {
		return ErrNotAllowed
	}
	pk, err := s.keys.Keys(ctx, string(id))
	if err != nil {
		return err
	}
	if p.IsContainer() {
		return s.deleteContainer(ctx, pk, p, pre)
	}
	key := pk.Object(string(p))
	oi, err := s.store.Stat(ctx, key)
	if err != nil {
		return notFound(err)
	}
	if err := pre.check(oi.ETag); err != nil {
		return err
	}
	// Delete only the version we checked.
	if err := s.store.Delete(ctx, key, Cond{IfMatch: oi.ETag}); err != nil {
		return notFound(err)
	}
	return s.unlink(ctx, pk, p)
}

// deleteContainer removes empty container c: its own object, then its link
// in its container. Its index stays (empty, or holding names that POSTs
// have reserved) until the pod is erased, and is the index again if c is
// made again.
//
// A member added while c is being deleted is never orphaned (see link for
// the adder's half of the rule): after removing c's object, the index is
// read again, and if any shard changed since the check the object is put
// back and the DELETE refused. After unlinking c, if an adder has made c
// again meanwhile, c is linked again.
func (s *Service) deleteContainer(ctx context.Context, pk *sealed.Keys, c Path, pre Preconditions) error {
	members, res, st, err := s.readContainer(ctx, pk, c)
	if err != nil {
		return notFound(err)
	}
	for _, m := range members {
		if !m.pending() {
			return ErrNotEmpty
		}
	}
	if err := pre.check(res.ETag); err != nil {
		return err
	}
	changed := ErrNotEmpty
	if pre.set() {
		changed = ErrPrecondition
	}
	key := pk.Object(string(c))
	if err := s.store.Delete(ctx, key, Cond{IfMatch: st.object.etag}); err != nil {
		if errors.Is(err, ErrPrecondition) {
			return changed
		}
		return notFound(err)
	}
	now, err := s.indexVersion(ctx, pk, c)
	if err != nil || !maps.Equal(now, st.shards) {
		// Someone changed the index since we looked: put the container
		// back as it was. If an adder already did, that is the same.
		_, werr := s.writeContainer(context.WithoutCancel(ctx), pk, c, st.object.meta, st.object.inline, Cond{IfNoneMatch: true})
		if werr != nil && !errors.Is(werr, ErrPrecondition) {
			return errors.Join(err, werr)
		}
		if err != nil {
			return err
		}
		return changed
	}
	if err := s.unlink(ctx, pk, c); err != nil {
		return err
	}
	if _, err := s.store.Stat(ctx, key); err == nil {
		return s.link(ctx, pk, c, Member{Modified: s.now().UTC()})
	} else if !errors.Is(err, ErrNotExist) {
		return err
	}
	return nil
}

func isStandard(p Path) bool {
	for _, c := range StandardContainers {
		if p == c {
			return true
		}
	}
	return false
}

func notFound(err error) error {
	if errors.Is(err, ErrNotExist) {
		return ErrNotFound
	}
	return err
}
